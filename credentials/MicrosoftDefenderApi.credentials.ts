import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	IHttpRequestOptions,
	INodeProperties,
} from 'n8n-workflow';

import { clipped } from '../nodes/MicrosoftDefender/helpers/validate';
import { apiOfUrl, requestTarget, scopeOf } from '../nodes/MicrosoftDefender/transport/cloud';
import { TokenRefusedError } from '../nodes/MicrosoftDefender/transport/errors';
import { identityFromCredentials } from '../nodes/MicrosoftDefender/transport/identity';
import { refuseProtectedRequest } from '../nodes/MicrosoftDefender/transport/protectionGuard';
import { getAccessToken } from '../nodes/MicrosoftDefender/transport/tokenProvider';

const PERMISSIONS_URL =
	'https://github.com/n8n-nodes-microsoft-defender/n8n-nodes-microsoft-defender#2-add-application-permissions-and-grant-admin-consent';

// n8n's notice keeps only links and lists (a, ul, li) from HTML.
const PERMISSIONS_NOTICE = `Needs an Entra ID app registration with Application permissions and admin consent: <a href="${PERMISSIONS_URL}" target="_blank">which permissions each operation needs</a>.`;

const CUSTOM = { show: { cloud: ['custom'] } };
const LOOPBACK_URL = '^\\s*https://(localhost|127\\.\\d+\\.\\d+\\.\\d+|\\[::1\\])(:\\d+)?(/|$)';
const CERTIFICATE = { show: { authentication: ['certificate'] } };

export class MicrosoftDefenderApi implements ICredentialType {
	name = 'microsoftDefenderApi';

	displayName = 'Microsoft Defender API';

	icon = 'file:microsoftDefender.svg' as const;

	documentationUrl = 'https://learn.microsoft.com/en-us/defender-xdr/api-create-app-web';

	// Order: what every user fills in first; endpoints of a Custom cloud next; tuning for queue mode and emulators last.
	properties: INodeProperties[] = [
		{
			displayName: PERMISSIONS_NOTICE,
			name: 'permissionsNotice',
			type: 'notice',
			default: '',
		},
		{
			displayName: 'Cloud',
			name: 'cloud',
			type: 'options',
			options: [
				{ name: 'Custom Endpoints', value: 'custom' },
				{ name: 'Global (Commercial)', value: 'global' },
				{ name: 'US Department of Defense (DoD)', value: 'usDod' },
				{ name: 'US Government Community (GCC)', value: 'usGcc' },
				{ name: 'US Government GCC High', value: 'usGccHigh' },
			],
			default: 'global',
			required: true,
			description:
				'The Microsoft cloud of your tenant. Custom is for sovereign clouds not listed here and for testing against an emulator.',
		},
		// Custom Endpoints: its four URLs right below Cloud, where the choice is made.
		{
			displayName: 'Authority URL',
			name: 'authorityUrl',
			type: 'string',
			default: 'https://login.microsoftonline.com',
			placeholder: 'e.g. https://login.microsoftonline.com',
			description: 'Entra ID login host (https only, without the tenant)',
			displayOptions: CUSTOM,
		},
		{
			displayName: 'Defender XDR API URL',
			name: 'defenderApiUrl',
			type: 'string',
			default: 'https://api.security.microsoft.com',
			description:
				'Base URL of the Defender XDR API (incidents, advanced hunting); the token scope is this URL + /.default',
			displayOptions: CUSTOM,
		},
		{
			displayName: 'Graph API URL',
			name: 'graphApiUrl',
			type: 'string',
			default: 'https://graph.microsoft.com',
			description: 'Base URL of Microsoft Graph, without /v1.0',
			displayOptions: CUSTOM,
		},
		{
			displayName: 'Defender for Endpoint API URL',
			name: 'endpointApiUrl',
			type: 'string',
			default: 'https://api.securitycenter.microsoft.com',
			description:
				'Base URL of the Defender for Endpoint API (devices, response actions, alerts, indicators)',
			displayOptions: CUSTOM,
		},
		{
			displayName: 'Tenant ID',
			name: 'tenantId',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'e.g. 00000000-0000-0000-0000-000000000000 or contoso.onmicrosoft.com',
			description:
				"Directory (tenant) ID from the app registration's Overview page, or a verified domain of the tenant",
		},
		{
			displayName: 'Client ID',
			name: 'clientId',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'e.g. 00000000-0000-0000-0000-000000000000',
			description: "Application (client) ID from the app registration's Overview page",
		},
		{
			displayName: 'Authentication',
			name: 'authentication',
			type: 'options',
			options: [
				{ name: 'Certificate', value: 'certificate' },
				{ name: 'Client Secret', value: 'clientSecret' },
			],
			default: 'clientSecret',
			required: true,
		},
		{
			displayName: 'Client Secret',
			name: 'clientSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: "The secret's Value (not its Secret ID) from Certificates & secrets",
			displayOptions: { show: { authentication: ['clientSecret'] } },
		},
		{
			displayName: 'Private Key',
			name: 'certificatePrivateKey',
			type: 'string',
			typeOptions: { password: true, rows: 5 },
			default: '',
			required: true,
			placeholder: '-----BEGIN PRIVATE KEY-----',
			description:
				'Unencrypted PEM private key of the certificate uploaded to the app registration',
			displayOptions: CERTIFICATE,
		},
		{
			displayName: 'Enter the certificate or its thumbprint: one of the two is enough.',
			name: 'eitherOfTwoNotice',
			type: 'notice',
			default: '',
			displayOptions: CERTIFICATE,
		},
		{
			displayName: 'Certificate',
			name: 'certificate',
			type: 'string',
			typeOptions: { password: true, rows: 5 },
			default: '',
			placeholder: '-----BEGIN CERTIFICATE-----',
			description: 'PEM certificate (public part). Leave empty to enter its thumbprint instead.',
			displayOptions: CERTIFICATE,
		},
		{
			displayName: 'Certificate Thumbprint',
			name: 'certificateThumbprint',
			type: 'string',
			// Public, but n8n's verification scan requires masking a field named like a certificate.
			typeOptions: { password: true },
			default: '',
			placeholder: 'e.g. 3F2A9C0B7D41E86A5C9F0D2B4E7A1C3D5F6B8E90',
			description:
				'SHA-1 (40 hex characters, as shown in the app registration) or SHA-256 thumbprint; used when Certificate is empty',
			displayOptions: CERTIFICATE,
		},
		{
			displayName: 'Protected Devices',
			name: 'protectedDevices',
			type: 'string',
			typeOptions: { rows: 3 },
			default: '',
			placeholder: 'e.g. tag:VIP, name:dc*, srv-db??',
			description:
				'Devices no response action may touch: one rule per line or comma-separated, * and ? as wildcards. tag:X matches a device tag, name:X the DNS or host name, a bare pattern either.',
			hint: 'Holds for every request made with this credential, the HTTP Request node included: isolate, restrict app execution, antivirus scan, stop and quarantine, collect investigation package, live response, start investigation, offboard, remove tag and any other change to /api/machines/{id} are refused before they are sent. Release From Isolation, Remove App Restriction and Add Tag stay allowed. The device is read first (Machine.Read.All); if it cannot be read, the change is refused. Bulk tag removal (AddOrRemoveTagForMultipleMachines) is refused while rules are set.',
		},
		{
			displayName: 'Protected Accounts',
			name: 'protectedAccounts',
			type: 'string',
			typeOptions: { rows: 3 },
			default: '',
			placeholder: 'e.g. *@exec.contoso.com, CONTOSO\\admin*',
			description:
				'Accounts no identity response action may touch: UPNs, DOMAIN\\name, account names or SIDs, with * and ? as wildcards',
			hint: 'Holds for every request made with this credential, the HTTP Request node included: Disable, Enable, Force Password Reset, Revoke Sessions, Require Sign-In Again, Mark Compromised (Graph identityAccounts/{id}/invokeAction) and any change to Graph /users/{id} (accountEnabled, revokeSignInSessions, …) are refused before they are sent. The account is read first (SecurityIdentitiesAccount.Read.All, User.Read.All); if it cannot be read, the change is refused.',
		},
		{
			displayName: 'Processes Sharing the Quota (Advanced, Queue Mode)',
			name: 'quotaProcesses',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 64 },
			default: 1,
			description:
				"For n8n queue mode: how many n8n processes (workers) run workflows with this app at the same time. Each keeps to its share of Microsoft's per-tenant quotas, so that together they are not throttled. Leave 1 for a single n8n.",
		},
		{
			displayName: 'Quota Window in Seconds (Advanced, Emulators)',
			name: 'quotaWindowSeconds',
			type: 'number',
			default: 60,
			typeOptions: { minValue: 1, maxValue: 3600 },
			description:
				"Length of the per-minute quota window the client-side rate limiter assumes. Microsoft's is 60; only an emulator shortens it.",
			// Only an emulator on this machine has a shorter window: shown when the authority is a loopback address.
			displayOptions: {
				show: {
					cloud: ['custom'],
					authorityUrl: [{ _cnd: { regex: LOOPBACK_URL } }],
				},
			},
		},
	];

	/**
	 * Puts an app-only bearer token on every request n8n sends with this credential: this package's nodes
	 * (`url`, maybe `baseURL`) and the HTTP Request node's Custom API Call (legacy `uri`). The URL is judged
	 * as it will be sent; its API decides the token's audience, and any other URL gets no token. The token
	 * is never carried along a redirect to another origin. A change to a device or account that Protected
	 * Devices / Accounts cover is refused here, before anything is sent.
	 */
	authenticate = async (
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> => {
		const identity = identityFromCredentials(credentials);
		const { uri } = requestOptions as { uri?: unknown };
		const given = requestOptions.url ?? uri;
		if (given === undefined || given === null || given === '') {
			throw new TokenRefusedError(
				'Refusing to attach a Microsoft Defender token: the request has no URL.',
			);
		}
		const target = requestTarget(given, requestOptions.baseURL);
		const baseTarget = requestOptions.baseURL ? requestTarget(requestOptions.baseURL) : undefined;
		const api = target === undefined ? undefined : apiOfUrl(identity.endpoints, target);
		if (
			!api ||
			(requestOptions.baseURL &&
				(baseTarget === undefined || apiOfUrl(identity.endpoints, baseTarget) === undefined))
		) {
			const shown = clipped(`${requestOptions.baseURL ?? ''}${String(given)}`.split('?')[0], 200);
			throw new TokenRefusedError(
				`Refusing to attach a Microsoft Defender token to ${shown}: it is not under one of the credential's API URLs (${Object.values(identity.endpoints.apis).join(', ')}). Use a full https:// URL under one of them.`,
			);
		}
		// Protected Devices / Accounts hold for every caller, the HTTP Request node included.
		await refuseProtectedRequest(identity, credentials, {
			method: requestOptions.method,
			url: target as string,
			body: requestOptions.body,
			headers: requestOptions.headers,
		});
		const token = await getAccessToken(identity, scopeOf(identity.endpoints, api));
		return {
			...requestOptions,
			headers: { ...requestOptions.headers, Authorization: `Bearer ${token.token}` },
			sendCredentialsOnCrossOriginRedirect: false,
		};
	};
}
