import { identityActionOperation } from './identityAction';

export const { option, properties, execute } = identityActionOperation('requireSignInAgain', {
	name: 'Require Sign-In Again',
	description:
		'Make the user sign in again (SecurityIdentitiesActions.ReadWrite.All; Entra ID: User.RevokeSessions.All). Changes state: an identity response action.',
	action: 'Require a user to sign in again',
	toolDescription: 'Require a user to sign in again (changes state: an identity response action)',
});
