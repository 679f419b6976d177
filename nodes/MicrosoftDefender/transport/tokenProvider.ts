import { createHash } from 'node:crypto';

import { sleep } from 'n8n-workflow';

import { jitteredBackoff } from './backoff';
import type { AppIdentity } from './identity';
import { explainTokenFailure } from './tokenErrors';
import { tokenHttpClient } from './tokenHttp';
import { ConfidentialClientApplication, LogLevel, type Configuration } from './vendor';

export interface AccessToken {
	token: string;
	expiresAt: number;
	acquiredAt: number;
	/** When the token is replaced even though it still works: shortly before it expires. */
	refreshAt: number;
}

/**
 * A token endpoint that answers 429/5xx, breaks the connection or sends a proxy's HTML page is asked
 * again this often, after 0.4 s, 0.8 s, 1.6 s (jittered), before the failure is reported.
 */
const MAX_TOKEN_RETRIES = 3;
const TOKEN_RETRY_BASE_MS = 400;
/** Refresh this long before expiry (as MSAL does), or a tenth of the lifetime for short-lived tokens. */
const MAX_REFRESH_MARGIN_MS = 5 * 60_000;
/** Client applications are cheap, but a credential whose secret rotates often must not leak them. */
const MAX_CACHED_APPLICATIONS = 200;

// Process-wide on purpose: every execution, poll and credential test in this n8n process (or worker)
// shares one token per (authority, tenant, app, secret fingerprint, scope).
const tokens = new Map<string, AccessToken>();
const pending = new Map<string, Promise<AccessToken>>();
const applications = new Map<string, ConfidentialClientApplication>();

function identityKey(identity: AppIdentity): string {
	// The secret itself never becomes part of a key, only its fingerprint.
	return createHash('sha256')
		.update(
			JSON.stringify([
				identity.endpoints.authorityUrl,
				identity.tenantId.toLowerCase(),
				identity.clientId.toLowerCase(),
				identity.secretFingerprint,
			]),
		)
		.digest('hex');
}

function tokenKey(identity: AppIdentity, scope: string): string {
	return `${identityKey(identity)}|${scope}`;
}

/**
 * MSAL settings for an authority. National clouds are known to MSAL. A Custom authority gets
 * `knownAuthorities` (otherwise MSAL asks login.microsoftonline.com for instance discovery) plus
 * `authorityMetadata` and `cloudDiscoveryMetadata` (otherwise it fetches the OpenID configuration
 * first), so that the token endpoint is the only address MSAL calls.
 */
function msalConfiguration(identity: AppIdentity): Configuration {
	const authority = `${identity.endpoints.authorityUrl}/${identity.tenantId}`;
	const auth: Configuration['auth'] = { clientId: identity.clientId, authority };
	if (identity.certificate) {
		auth.clientCertificate = {
			privateKey: identity.certificate.privateKeyPem,
			...(identity.certificate.thumbprintSha256
				? { thumbprintSha256: identity.certificate.thumbprintSha256 }
				: { thumbprint: identity.certificate.thumbprintSha1 }),
		};
	} else {
		auth.clientSecret = identity.clientSecret;
	}
	if (identity.endpoints.custom) {
		const host = new URL(identity.endpoints.authorityUrl).host;
		auth.knownAuthorities = [host];
		auth.authorityMetadata = JSON.stringify({
			token_endpoint: `${authority}/oauth2/v2.0/token`,
			authorization_endpoint: `${authority}/oauth2/v2.0/authorize`,
			issuer: `${authority}/v2.0`,
			jwks_uri: `${authority}/discovery/v2.0/keys`,
		});
		auth.cloudDiscoveryMetadata = JSON.stringify({
			tenant_discovery_endpoint: `${authority}/v2.0/.well-known/openid-configuration`,
			'api-version': '1.1',
			metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
		});
	}
	return {
		auth,
		// MSAL's own log could carry request details; it stays silent.
		system: {
			networkClient: tokenHttpClient,
			loggerOptions: {
				loggerCallback: () => undefined,
				piiLoggingEnabled: false,
				logLevel: LogLevel.Error,
			},
		},
	};
}

function applicationFor(identity: AppIdentity): ConfidentialClientApplication {
	const key = identityKey(identity);
	let application = applications.get(key);
	if (!application) {
		if (applications.size >= MAX_CACHED_APPLICATIONS) {
			const oldest = applications.keys().next().value;
			if (oldest !== undefined) applications.delete(oldest);
		}
		application = new ConfidentialClientApplication(msalConfiguration(identity));
		applications.set(key, application);
	}
	return application;
}

/** Worth asking again: Entra ID (or a proxy before it) was unavailable, not the request wrong. */
export function isTransientTokenFailure(error: unknown): boolean {
	const { status, errorCode } = (typeof error === 'object' && error !== null ? error : {}) as {
		status?: unknown;
		errorCode?: unknown;
	};
	if (typeof status === 'number') return status === 429 || status >= 500;
	return [
		'network_error',
		'token_parsing_error',
		'temporarily_unavailable',
		'server_error',
	].includes(String(errorCode));
}

async function requestToken(identity: AppIdentity, scope: string): Promise<AccessToken> {
	let acquiredAt = Date.now();
	let result;
	for (let attempt = 0; ; attempt++) {
		acquiredAt = Date.now();
		try {
			// Our cache decides when a token is renewed, so MSAL's is bypassed (it would also keep
			// short-lived tokens it considers expired).
			result = await applicationFor(identity).acquireTokenByClientCredential({
				scopes: [scope],
				skipCache: true,
			});
			break;
		} catch (error) {
			// After a 429/5xx MSAL refuses every further request of this application without asking
			// Entra ID (60 s when the answer had no Retry-After): a new application asks again.
			applications.delete(identityKey(identity));
			if (attempt >= MAX_TOKEN_RETRIES || !isTransientTokenFailure(error)) {
				throw explainTokenFailure(error, identity, scope, attempt + 1);
			}
			await sleep(jitteredBackoff(attempt, TOKEN_RETRY_BASE_MS));
		}
	}
	if (!result?.accessToken) {
		throw explainTokenFailure(new Error('Entra ID returned no access token.'), identity, scope);
	}
	const expiresAt = result.expiresOn ? result.expiresOn.getTime() : acquiredAt + 3_600_000;
	const margin = Math.min(MAX_REFRESH_MARGIN_MS, (expiresAt - acquiredAt) / 10);
	return { token: result.accessToken, expiresAt, acquiredAt, refreshAt: expiresAt - margin };
}

/**
 * A bearer token for `scope`, from the process-wide cache when it is still fresh. Concurrent callers
 * for the same key share one request to Entra ID (single flight).
 */
export async function getAccessToken(identity: AppIdentity, scope: string): Promise<AccessToken> {
	const key = tokenKey(identity, scope);
	const cached = tokens.get(key);
	if (cached && Date.now() < cached.refreshAt) return cached;
	let inFlight = pending.get(key);
	if (!inFlight) {
		inFlight = requestToken(identity, scope)
			.then((token) => {
				tokens.set(key, token);
				return token;
			})
			.finally(() => pending.delete(key));
		pending.set(key, inFlight);
	}
	return await inFlight;
}

/**
 * Forgets the cached token after an API rejected it with a 401 received at `rejectedAt`, unless another
 * caller has replaced it since (the rejected token was necessarily acquired before the rejection).
 */
export function invalidateAccessToken(
	identity: AppIdentity,
	scope: string,
	rejectedAt: number,
): void {
	const key = tokenKey(identity, scope);
	const cached = tokens.get(key);
	if (cached && cached.acquiredAt <= rejectedAt) tokens.delete(key);
}
