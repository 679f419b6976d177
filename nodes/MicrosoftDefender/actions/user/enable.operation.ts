import { identityActionOperation } from './identityAction';

export const { option, properties, execute } = identityActionOperation('enable', {
	name: 'Enable',
	description:
		'Enable a disabled account again (SecurityIdentitiesActions.ReadWrite.All; Entra ID: User.EnableDisableAccount.All)',
	action: 'Enable a user account (changes state: an identity response action)',
});
