// @ts-check
'use strict';
// Entra ID as far as app-only clients see it: tenants, app registrations, admin consent,
// the v1/v2 client-credentials token endpoints, discovery documents and access-token checks.
const crypto = require('node:crypto');
const { HttpError, sendJson, readBody, GUID } = require('./util');

/** @typedef {'xdr' | 'graph' | 'mde'} ApiName */
/** @typedef {{ id: string, domains: string[] }} Tenant */
/** @typedef {{ value: string, expiresAt?: number }} Secret */
/** @typedef {{ certPem: string, thumbprint: string, thumbprintSha256: string, x5t: string, x5tS256: string, publicKey: crypto.KeyObject }} Certificate */
/** @typedef {{ clientId: string, displayName: string, secrets: Secret[], certificates: Certificate[] }} App */
/** @typedef {{ oid: string, roles: Partial<Record<ApiName, string[]>> }} Consent */

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const CLOCK_SKEW_S = 300;
const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,63}$/i;
const WELL_KNOWN_TENANTS = ['common', 'organizations', 'consumers'];

/** A token-endpoint failure, rendered in Entra's error body shape. */
class AadError extends Error {
	/**
	 * @param {number} status
	 * @param {string} error OAuth error ("invalid_client", ...)
	 * @param {number} code AADSTS number
	 * @param {string} message
	 */
	constructor(status, error, code, message) {
		super(message);
		this.status = status;
		this.error = error;
		this.aadCode = code;
	}
}

const b64url = (/** @type {Buffer | string} */ data) => Buffer.from(data).toString('base64url');
const jsonPart = (/** @type {string} */ part) =>
	JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));

/** @param {string} token */
function decodeJwt(token) {
	const parts = token.split('.');
	if (parts.length !== 3) throw new Error('not a JWT');
	return {
		header: jsonPart(parts[0]),
		payload: jsonPart(parts[1]),
		signingInput: `${parts[0]}.${parts[1]}`,
		signature: Buffer.from(parts[2], 'base64url'),
	};
}

/**
 * @param {{ url: string, apiBases: Record<ApiName, string> }} options
 */
function createIdentity({ url, apiBases }) {
	const host = new URL(url).host;
	const origins = [url, url.replace('127.0.0.1', 'localhost')];
	const signingKey = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
	const kid = b64url(crypto.randomBytes(20));
	/** @type {Map<string, Tenant>} */
	const tenants = new Map();
	/** @type {Map<string, App>} */
	const apps = new Map();
	/** @type {Map<string, Consent>} keyed `${tenantId}|${clientId}` */
	const consents = new Map();
	/** @type {Set<string>} `tenantId|clientId` whose service principal an administrator removed */
	const removed = new Set();
	/** @type {Set<string>} token `uti`s issued since the last revokeTokens() */
	const issued = new Set();
	/** @type {Set<string>} */
	const revoked = new Set();
	let tokenLifetimeS = 3599;

	// ---- control functions ----

	/** @param {{ id?: string, domains?: string[] }} [spec] */
	function addTenant({ id = crypto.randomUUID(), domains = [] } = {}) {
		if (!GUID.test(id)) throw new Error(`Tenant id must be a GUID: ${id}`);
		const tenant = { id: id.toLowerCase(), domains: domains.map((d) => d.toLowerCase()) };
		tenants.set(tenant.id, tenant);
		return tenant;
	}

	/**
	 * @param {{ clientId?: string, displayName?: string, secrets?: { value: string, expiresAt?: string | number }[], certificates?: { certPem: string }[] }} [spec]
	 */
	function addApp({
		clientId = crypto.randomUUID(),
		displayName = 'Emulated app',
		secrets = [],
		certificates = [],
	} = {}) {
		const app = {
			clientId: clientId.toLowerCase(),
			displayName,
			secrets: secrets.map(toSecret),
			certificates: certificates.map(({ certPem }) => {
				const x509 = new crypto.X509Certificate(certPem);
				const sha1 = crypto.createHash('sha1').update(x509.raw).digest();
				const sha256 = crypto.createHash('sha256').update(x509.raw).digest();
				return {
					certPem,
					thumbprint: sha1.toString('hex').toUpperCase(),
					thumbprintSha256: sha256.toString('hex').toUpperCase(),
					x5t: b64url(sha1),
					x5tS256: b64url(sha256),
					publicKey: x509.publicKey,
				};
			}),
		};
		apps.set(app.clientId, app);
		return {
			clientId: app.clientId,
			certificates: app.certificates.map(({ thumbprint, thumbprintSha256 }) => ({
				thumbprint,
				thumbprintSha256,
			})),
		};
	}

	/** @param {{ value: string, expiresAt?: string | number }} secret @returns {Secret} */
	function toSecret({ value, expiresAt }) {
		return {
			value,
			expiresAt: expiresAt === undefined ? undefined : new Date(expiresAt).getTime(),
		};
	}

	/** @param {{ tenantId: string, clientId: string, roles?: Partial<Record<ApiName, string[]>> }} spec */
	function consent({ tenantId, clientId, roles = {} }) {
		const tenant = getTenant(tenantId);
		const app = getApp(clientId);
		const key = `${tenant.id}|${app.clientId}`;
		removed.delete(key);
		consents.set(key, { oid: consents.get(key)?.oid ?? crypto.randomUUID(), roles });
	}

	/**
	 * An administrator of the tenant removed the app (its enterprise application, i.e. service
	 * principal, with its consent): from then on Entra answers the app's token requests with
	 * AADSTS7000229, as learn.microsoft.com/microsoftteams/platform/teams-sdk/teams/app-authentication/troubleshooting
	 * shows it.
	 * @param {{ tenantId: string, clientId: string }} spec
	 */
	function revokeConsent({ tenantId, clientId }) {
		const tenant = getTenant(tenantId);
		const app = getApp(clientId);
		consents.delete(`${tenant.id}|${app.clientId}`);
		removed.add(`${tenant.id}|${app.clientId}`);
	}

	/** @param {string} clientId @param {string} newValue */
	function rotateSecret(clientId, newValue) {
		getApp(clientId).secrets = [{ value: newValue }];
	}

	/** @param {number} seconds */
	function setTokenLifetime(seconds) {
		tokenLifetimeS = seconds;
	}

	function revokeTokens() {
		for (const uti of issued) revoked.add(uti);
		issued.clear();
	}

	/** A tenant by GUID or verified domain, or undefined. @param {string} idOrDomain */
	function findTenant(idOrDomain) {
		const key = idOrDomain.toLowerCase();
		return tenants.get(key) ?? [...tenants.values()].find((t) => t.domains.includes(key));
	}

	/** @param {string} idOrDomain */
	function getTenant(idOrDomain) {
		const tenant = findTenant(idOrDomain);
		if (!tenant) throw new Error(`Unknown tenant: ${idOrDomain}`);
		return tenant;
	}

	/** @param {string} clientId */
	function getApp(clientId) {
		const app = apps.get(clientId.toLowerCase());
		if (!app) throw new Error(`Unknown app: ${clientId}`);
		return app;
	}

	// ---- login routes ----

	/**
	 * @param {import('node:http').IncomingMessage} req
	 * @param {import('node:http').ServerResponse} res
	 * @param {URL} reqUrl
	 */
	async function handleLogin(req, res, reqUrl) {
		const [segment, ...rest] = reqUrl.pathname.split('/').filter(Boolean);
		const route = `${req.method} ${rest.join('/')}`;
		try {
			if (route === 'GET discovery/instance' && segment === 'common') {
				sendJson(res, 200, instanceDiscovery(reqUrl));
			} else if (route === 'GET v2.0/.well-known/openid-configuration') {
				sendJson(res, 200, openidConfiguration(segment));
			} else if (route === 'GET discovery/v2.0/keys') {
				sendJson(res, 200, {
					keys: [
						{
							kty: 'RSA',
							use: 'sig',
							kid,
							x5t: kid,
							...signingKey.publicKey.export({ format: 'jwk' }),
						},
					],
				});
			} else if (route === 'POST oauth2/v2.0/token' || route === 'POST oauth2/token') {
				const form = new URLSearchParams(await readBody(req));
				sendJson(res, 200, issueToken(resolveTenant(segment), form, rest[1] === 'v2.0'), {
					'cache-control': 'no-store, no-cache',
					pragma: 'no-cache',
				});
			} else {
				sendJson(res, 404, {
					error: { code: 'NotFound', message: `No login route ${req.method} ${reqUrl.pathname}` },
				});
			}
		} catch (err) {
			if (!(err instanceof AadError)) throw err;
			sendJson(res, err.status, aadErrorBody(err, req.headers['client-request-id']));
		}
	}

	/** @param {AadError} err @param {string | string[] | undefined} clientRequestId */
	function aadErrorBody(err, clientRequestId) {
		const traceId = crypto.randomUUID();
		const correlationId =
			typeof clientRequestId === 'string' ? clientRequestId : crypto.randomUUID();
		const timestamp = new Date()
			.toISOString()
			.replace('T', ' ')
			.replace(/\.\d+Z$/, 'Z');
		return {
			error: err.error,
			error_description: `AADSTS${err.aadCode}: ${err.message}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${timestamp}`,
			error_codes: [err.aadCode],
			timestamp,
			trace_id: traceId,
			correlation_id: correlationId,
			error_uri: `${url}/error?code=${err.aadCode}`,
		};
	}

	/** @param {URL} reqUrl */
	function instanceDiscovery(reqUrl) {
		const authorize = reqUrl.searchParams.get('authorization_endpoint') ?? '';
		const tenant = /^https:\/\/[^/]+\/([^/?#]+)/.exec(authorize)?.[1] ?? 'common';
		return {
			tenant_discovery_endpoint: `${url}/${tenant}/v2.0/.well-known/openid-configuration`,
			'api-version': '1.1',
			metadata: [
				{
					preferred_network: host,
					preferred_cache: host,
					aliases: [host, new URL(origins[1]).host],
				},
			],
		};
	}

	/** @param {string} segment */
	function openidConfiguration(segment) {
		const wellKnown = WELL_KNOWN_TENANTS.includes(segment.toLowerCase());
		const tenantPath = wellKnown ? segment : resolveTenant(segment).id;
		const base = `${url}/${tenantPath}`;
		// The fields MSAL reads, plus a few that make the document look like Entra's.
		return {
			token_endpoint: `${base}/oauth2/v2.0/token`,
			token_endpoint_auth_methods_supported: [
				'client_secret_post',
				'private_key_jwt',
				'client_secret_basic',
			],
			jwks_uri: `${base}/discovery/v2.0/keys`,
			issuer: `${url}/${wellKnown ? '{tenantid}' : tenantPath}/v2.0`,
			authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
			device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
			end_session_endpoint: `${base}/oauth2/v2.0/logout`,
			id_token_signing_alg_values_supported: ['RS256'],
			cloud_instance_name: host,
			msgraph_host: new URL(apiBases.graph).host,
		};
	}

	/** @param {string} segment */
	function resolveTenant(segment) {
		if (!GUID.test(segment) && !DOMAIN.test(segment)) {
			throw new AadError(
				400,
				'invalid_request',
				900023,
				`Specified tenant identifier '${segment}' is neither a valid DNS name, nor a valid external domain.`,
			);
		}
		const tenant = findTenant(segment);
		if (!tenant) {
			throw new AadError(
				400,
				'invalid_request',
				90002,
				`Tenant '${segment}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
			);
		}
		return tenant;
	}

	/** @param {URLSearchParams} form @param {string} name */
	function required(form, name) {
		const value = form.get(name);
		if (!value)
			throw new AadError(
				400,
				'invalid_request',
				900144,
				`The request body must contain the following parameter: '${name}'.`,
			);
		return value;
	}

	/**
	 * @param {Tenant} tenant
	 * @param {URLSearchParams} form
	 * @param {boolean} v2 the v2.0 endpoint (scope) rather than v1 (resource)
	 */
	function issueToken(tenant, form, v2) {
		const grantType = required(form, 'grant_type');
		if (grantType !== 'client_credentials') {
			throw new AadError(
				400,
				'unsupported_grant_type',
				70003,
				`The app requested an unsupported grant type '${grantType}'.`,
			);
		}
		const clientId = required(form, 'client_id').toLowerCase();
		const app = apps.get(clientId);
		const grant = consents.get(`${tenant.id}|${clientId}`);
		if (app && removed.has(`${tenant.id}|${clientId}`)) {
			throw new AadError(
				401,
				'invalid_client',
				7000229,
				`The client application ${clientId} is missing service principal in the tenant ${tenant.id}. See instructions here: https://go.microsoft.com/fwlink/?linkid=2225119`,
			);
		}
		if (!app || !grant) {
			throw new AadError(
				400,
				'unauthorized_client',
				700016,
				`Application with identifier '${clientId}' was not found in the directory '${tenant.domains[0] ?? tenant.id}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
			);
		}
		const appidacr = authenticateClient(app, tenant, form);
		const api = resolveResource(tenant, form, v2);

		const now = Math.floor(Date.now() / 1000);
		const uti = b64url(crypto.randomBytes(16));
		const roles = grant.roles[api] ?? [];
		const claims = {
			aud: apiBases[api],
			iss: `https://sts.windows.net/${tenant.id}/`,
			// Entra backdates iat/nbf by five minutes to absorb clock skew.
			iat: now - CLOCK_SKEW_S,
			nbf: now - CLOCK_SKEW_S,
			exp: now + tokenLifetimeS,
			app_displayname: app.displayName,
			appid: app.clientId,
			appidacr,
			idp: `https://sts.windows.net/${tenant.id}/`,
			idtyp: 'app',
			oid: grant.oid,
			...(roles.length ? { roles } : {}),
			sub: grant.oid,
			tid: tenant.id,
			uti,
			ver: '1.0',
		};
		const header = { typ: 'JWT', alg: 'RS256', x5t: kid, kid };
		const signingInput = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
		const signature = crypto.sign('sha256', Buffer.from(signingInput), signingKey.privateKey);
		const accessToken = `${signingInput}.${b64url(signature)}`;
		issued.add(uti);
		if (v2)
			return {
				token_type: 'Bearer',
				expires_in: tokenLifetimeS,
				ext_expires_in: tokenLifetimeS,
				access_token: accessToken,
			};
		// The v1 endpoint answers numbers as strings.
		return {
			token_type: 'Bearer',
			expires_in: String(tokenLifetimeS),
			ext_expires_in: String(tokenLifetimeS),
			expires_on: String(claims.exp),
			not_before: String(claims.nbf),
			resource: apiBases[api],
			access_token: accessToken,
		};
	}

	/**
	 * @param {Tenant} tenant @param {URLSearchParams} form @param {boolean} v2
	 * @returns {ApiName}
	 */
	function resolveResource(tenant, form, v2) {
		let resource;
		if (v2) {
			const scope = required(form, 'scope').trim().split(/\s+/)[0];
			if (!scope.endsWith('/.default')) {
				throw new AadError(
					400,
					'invalid_scope',
					1002012,
					`The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
				);
			}
			resource = scope.slice(0, -'/.default'.length);
		} else {
			resource = required(form, 'resource');
		}
		const normalized = resource.replace(/\/+$/, '').toLowerCase();
		const api = /** @type {ApiName[]} */ (Object.keys(apiBases)).find(
			(name) => apiBases[name].toLowerCase() === normalized,
		);
		if (!api) {
			throw new AadError(
				400,
				'invalid_resource',
				500011,
				`The resource principal named ${resource} was not found in the tenant named ${tenant.domains[0] ?? tenant.id}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`,
			);
		}
		return api;
	}

	/**
	 * Checks the client secret or client assertion.
	 * @param {App} app @param {Tenant} tenant @param {URLSearchParams} form
	 * @returns {'1' | '2'} appidacr: 1 = secret, 2 = certificate
	 */
	function authenticateClient(app, tenant, form) {
		const secret = form.get('client_secret');
		if (secret !== null) {
			const match = app.secrets.find((s) => s.value === secret);
			if (!match) {
				throw new AadError(
					401,
					'invalid_client',
					7000215,
					`Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${app.clientId}'.`,
				);
			}
			if (match.expiresAt !== undefined && match.expiresAt <= Date.now()) {
				throw new AadError(
					401,
					'invalid_client',
					7000222,
					`The provided client secret keys for app '${app.clientId}' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds.`,
				);
			}
			return '1';
		}
		const assertion = form.get('client_assertion');
		if (assertion === null) {
			throw new AadError(
				401,
				'invalid_client',
				7000218,
				"The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
			);
		}
		verifyAssertion(app, tenant, required(form, 'client_assertion_type'), assertion);
		return '2';
	}

	/** @param {App} app @param {Tenant} tenant @param {string} assertionType @param {string} assertion */
	function verifyAssertion(app, tenant, assertionType, assertion) {
		const fail = (/** @type {string} */ why) => new AadError(401, 'invalid_client', 700027, why);
		if (assertionType !== JWT_BEARER)
			throw fail(`Client assertion type '${assertionType}' is not supported.`);
		let jwt;
		try {
			jwt = decodeJwt(assertion);
		} catch {
			throw fail('Client assertion is not a valid JWT.');
		}
		const { header, payload } = jwt;
		const byX5t = header.alg === 'RS256' && header.x5t;
		const byX5tS256 = header.alg === 'PS256' && header['x5t#S256'];
		if (!byX5t && !byX5tS256)
			throw fail(
				`Client assertion must be RS256 with x5t or PS256 with x5t#S256 (alg '${header.alg}').`,
			);
		const cert = app.certificates.find((c) =>
			byX5t ? c.x5t === header.x5t : c.x5tS256 === header['x5t#S256'],
		);
		if (!cert) {
			throw fail(
				`The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Thumbprint of key used by client: '${byX5t || byX5tS256}', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '${app.clientId}'.]`,
			);
		}
		const key = byX5t
			? cert.publicKey
			: {
					key: cert.publicKey,
					padding: crypto.constants.RSA_PKCS1_PSS_PADDING,
					saltLength: crypto.constants.RSA_PSS_SALTLEN_AUTO,
				};
		if (!crypto.verify('sha256', Buffer.from(jwt.signingInput), key, jwt.signature)) {
			throw fail('Client assertion failed signature validation.');
		}
		if (payload.iss !== app.clientId || payload.sub !== app.clientId) {
			throw fail("Client assertion 'iss' and 'sub' must both be the application's client id.");
		}
		if (!isTokenEndpointOf(tenant, payload.aud)) {
			throw fail(
				`Client assertion audience claim '${payload.aud}' does not match the token endpoint of tenant '${tenant.id}'.`,
			);
		}
		const now = Date.now() / 1000;
		if (!(payload.exp > now) || (payload.nbf !== undefined && payload.nbf > now + CLOCK_SKEW_S)) {
			throw new AadError(
				401,
				'invalid_client',
				700024,
				'Client assertion is not within its valid time range.',
			);
		}
	}

	/** Accepts the v1 or v2 token URL, with the tenant GUID or a verified domain. @param {Tenant} tenant @param {unknown} aud */
	function isTokenEndpointOf(tenant, aud) {
		if (typeof aud !== 'string') return false;
		const m = /^(https:\/\/[^/]+)\/([^/]+)\/oauth2\/(?:v2\.0\/)?token\/?$/i.exec(aud);
		return !!m && origins.includes(m[1].toLowerCase()) && findTenant(m[2]) === tenant;
	}

	// ---- API side ----

	/**
	 * Verifies a Bearer access token for one API; throws a 401 HttpError otherwise.
	 * @param {string | undefined} authorization the Authorization header
	 * @param {ApiName} api
	 * @param {string} code the error code the API uses on 401
	 */
	function verifyAccessToken(authorization, api, code) {
		const unauthorized = (/** @type {string} */ message) =>
			new HttpError(401, code, message, {
				'www-authenticate': `Bearer error="invalid_token", error_description="${message}"`,
			});
		const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
		if (!m) {
			throw new HttpError(401, code, 'Authorization header is missing or is not a Bearer token.', {
				'www-authenticate': 'Bearer',
			});
		}
		let jwt;
		try {
			jwt = decodeJwt(m[1]);
		} catch {
			throw unauthorized('The access token is malformed.');
		}
		const signed =
			jwt.header.alg === 'RS256' &&
			crypto.verify('sha256', Buffer.from(jwt.signingInput), signingKey.publicKey, jwt.signature);
		if (!signed) throw unauthorized('The access token signature is invalid.');
		const claims = jwt.payload;
		if (claims.aud !== apiBases[api])
			throw unauthorized(`The access token audience '${claims.aud}' is not valid for this API.`);
		if (!(claims.exp > Date.now() / 1000)) throw unauthorized('The access token has expired.');
		if (revoked.has(claims.uti)) throw unauthorized('The access token has been revoked.');
		return /** @type {{ tid: string, appid: string, roles?: string[] }} */ (claims);
	}

	return {
		addTenant,
		addApp,
		consent,
		revokeConsent,
		rotateSecret,
		setTokenLifetime,
		revokeTokens,
		getTenant,
		handleLogin,
		verifyAccessToken,
	};
}

module.exports = { createIdentity };
