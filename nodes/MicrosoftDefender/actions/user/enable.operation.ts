import { identityActionOperation } from './identityAction';

export const { option, properties, execute } = identityActionOperation('enable', {
	name: 'Enable',
	description:
		'Enable a disabled account again (SecurityIdentitiesActions.ReadWrite.All; Entra ID: User.EnableDisableAccount.All). Changes state: an identity response action.',
	action: 'Enable a user account',
	toolDescription: 'Enable a user account (changes state: an identity response action)',
});
