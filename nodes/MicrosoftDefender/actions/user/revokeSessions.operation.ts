import { identityActionOperation } from './identityAction';

export const { option, properties, execute } = identityActionOperation('revokeSessions', {
	name: 'Revoke Sessions',
	description:
		'End all active sessions of the account (SecurityIdentitiesActions.ReadWrite.All; Entra ID: User.RevokeSessions.All). Changes state: an identity response action.',
	action: 'Revoke all sessions of a user',
	toolDescription:
		'Revoke all sessions of a user account (changes state: an identity response action)',
});
