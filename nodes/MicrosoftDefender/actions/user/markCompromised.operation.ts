import { identityActionOperation } from './identityAction';

export const { option, properties, execute } = identityActionOperation('markCompromised', {
	name: 'Mark as Compromised',
	description:
		'Mark the user as compromised (risky) in Entra ID (SecurityIdentitiesActions.ReadWrite.All). Changes state: an identity response action.',
	action: 'Mark a user as compromised',
	toolDescription:
		'Mark a user account as compromised (changes state: an identity response action)',
});
