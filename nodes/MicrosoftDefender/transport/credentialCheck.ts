import type { ICredentialDataDecryptedObject, INodeCredentialTestResult } from 'n8n-workflow';

import { API_DISPLAY_NAMES, scopeOf, type ApiName } from './cloud';
import { CredentialInputError, redact, TokenAcquisitionError } from './errors';
import { identityFromCredentials, secretsOf, type AppIdentity } from './identity';
import { CAPABILITIES, missingCapabilities, PERMISSION_SOURCES } from './permissions';
import { getAccessToken } from './tokenProvider';
import { decodeJwt } from './vendor';

interface ApiCheck {
	api: ApiName;
	roles?: string[];
	failure?: string;
}

/** The APIs whose permissions the credential test reports. */
const CHECKED_APIS = (Object.keys(CAPABILITIES) as ApiName[]).filter(
	(api) => CAPABILITIES[api].length > 0,
);

/** Roles granted to the app, read from the token's claims (decoded only: clients must not verify Microsoft's API tokens). */
export function grantedRoles(accessToken: string): string[] {
	const roles = decodeJwt(accessToken).roles;
	return Array.isArray(roles)
		? roles.filter((role): role is string => typeof role === 'string')
		: [];
}

async function checkApi(identity: AppIdentity, api: ApiName): Promise<ApiCheck> {
	try {
		const token = await getAccessToken(identity, scopeOf(identity.endpoints, api));
		return { api, roles: grantedRoles(token.token) };
	} catch (error) {
		const message =
			error instanceof TokenAcquisitionError
				? error.message
				: `Unexpected failure: ${error instanceof Error ? error.message : String(error)}`;
		return { api, failure: redact(message, secretsOf(identity)) };
	}
}

/** What the endpoint API is for, when the app holds none of its permissions (many only need incidents). */
const PURPOSE: Partial<Record<ApiName, string>> = {
	endpoint: 'devices, response actions, alerts and indicators',
};

function describeMissing(check: ApiCheck): string {
	const missing = missingCapabilities(check.api, check.roles ?? []);
	if (missing.length === 0) return '';
	if (missing.length === CAPABILITIES[check.api].length && PURPOSE[check.api]) {
		return ` The ${API_DISPLAY_NAMES[check.api]} (${PURPOSE[check.api]}) needs its own permissions (${PERMISSION_SOURCES[check.api]}).`;
	}
	return ` To ${missing.map((capability) => capability.label).join(', ')} on the ${API_DISPLAY_NAMES[check.api]}, also grant ${[...new Set(missing.map((capability) => capability.anyOf[capability.anyOf.length - 1]))].join(', ')} (${PERMISSION_SOURCES[check.api]}).`;
}

/**
 * What the credential dialog's Test button shows: the real client-credentials flow against every API
 * the package uses, then either the granted roles or the problem and its fix in plain words.
 */
export async function testCredential(
	credentials: ICredentialDataDecryptedObject,
): Promise<INodeCredentialTestResult> {
	let identity: AppIdentity;
	try {
		identity = identityFromCredentials(credentials);
	} catch (error) {
		// Input errors already say which field to fix; anything else is reported rather than thrown at the dialog.
		return {
			status: 'Error',
			message: error instanceof CredentialInputError ? error.message : redact(String(error)),
		};
	}
	const checks = await Promise.all(CHECKED_APIS.map(async (api) => await checkApi(identity, api)));
	const connected = checks.filter((check) => check.roles !== undefined);
	if (connected.length === 0) {
		const distinct = [...new Set(checks.map((check) => check.failure))];
		return {
			status: 'Error',
			message:
				distinct.length === 1
					? (distinct[0] ?? 'Sign-in failed.')
					: checks.map((check) => `${API_DISPLAY_NAMES[check.api]}: ${check.failure}`).join(' '),
		};
	}
	const granted = checks
		.map(
			(check) =>
				`${API_DISPLAY_NAMES[check.api]}: ${check.roles ? check.roles.join(', ') || 'no permissions' : `unavailable (${check.failure})`}`,
		)
		.join('; ');
	const canRead = connected.some(
		(check) =>
			CAPABILITIES[check.api].some((capability) => capability.label === 'read incidents') &&
			!missingCapabilities(check.api, check.roles ?? []).some(
				(capability) => capability.label === 'read incidents',
			),
	);
	if (!canRead) {
		return {
			status: 'Error',
			message: `Connected, but the app cannot read incidents on any API (granted — ${granted}). Add the Application permission Incident.Read.All (${PERMISSION_SOURCES.defenderXdr}) or SecurityIncident.Read.All (${PERMISSION_SOURCES.graph}) in the app registration, then click "Grant admin consent".`,
		};
	}
	return {
		status: 'OK',
		message: `Connected — granted: ${granted}.${connected.map(describeMissing).join('')}`,
	};
}
