import { identityActionOperation } from './identityAction';

export const { option, properties, execute } = identityActionOperation('markCompromised', {
	name: 'Mark as Compromised',
	description:
		'Mark the user as compromised (risky) in Entra ID (SecurityIdentitiesActions.ReadWrite.All)',
	action: 'Mark a user account as compromised (changes state: an identity response action)',
});
