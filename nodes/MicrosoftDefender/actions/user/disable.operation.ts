import { identityActionOperation } from './identityAction';

export const { option, properties, execute } = identityActionOperation('disable', {
	name: 'Disable',
	description:
		'Disable the account so it cannot sign in (SecurityIdentitiesActions.ReadWrite.All; Entra ID: User.EnableDisableAccount.All). Changes state: an identity response action.',
	action: 'Disable a user account',
	toolDescription: 'Disable a user account (changes state: an identity response action)',
});
