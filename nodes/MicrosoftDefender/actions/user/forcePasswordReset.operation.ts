import { identityActionOperation } from './identityAction';

export const { option, properties, execute } = identityActionOperation('forcePasswordReset', {
	name: 'Force Password Reset',
	description:
		'Make the user change the password at next sign-in; Active Directory accounts (SecurityIdentitiesActions.ReadWrite.All). Changes state: an identity response action.',
	action: 'Force a password reset',
	toolDescription:
		'Force a password reset of a user account (changes state: an identity response action)',
});
