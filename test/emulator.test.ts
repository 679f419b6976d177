// The emulator itself, driven over HTTPS directly (no product code): token endpoints and their
// AADSTS errors, API authentication, incidents on both APIs, hunting, Defender for Endpoint machines,
// response actions, alerts and indicators, quotas, faults, control API.
import { spawn } from 'node:child_process';
import * as crypto from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';

import { startEmulator } from './emulator';

type Emulator = Awaited<ReturnType<typeof startEmulator>>;
type Api = 'xdr' | 'graph' | 'mde';
interface Reply {
	status: number;
	headers: IncomingHttpHeaders;
	text: string;
	// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the assertions read arbitrary fields of the emulator's JSON answers
	json: any;
}

const FIXTURES = join(__dirname, 'fixtures');
const CA = readFileSync(join(FIXTURES, 'tls', 'emulator-cert.pem'));
const CLIENT_CERT = readFileSync(join(FIXTURES, 'client', 'client-cert.pem'), 'utf8');
const CLIENT_KEY = readFileSync(join(FIXTURES, 'client', 'client-key.pem'), 'utf8');
const CLIENT_DER = new crypto.X509Certificate(CLIENT_CERT).raw;
const ALL_ROLES = {
	xdr: ['Incident.ReadWrite.All', 'AdvancedHunting.Read.All'],
	graph: ['SecurityIncident.ReadWrite.All', 'ThreatHunting.Read.All'],
};

/** One HTTPS request that trusts the emulator's CA itself (no NODE_EXTRA_CA_CERTS needed). */
function call(
	method: string,
	url: string,
	options: { headers?: Record<string, string>; json?: unknown; form?: Record<string, string> } = {},
): Promise<Reply> {
	const headers = { ...options.headers };
	let body: string | undefined;
	if (options.form) {
		body = new URLSearchParams(options.form).toString();
		headers['content-type'] = 'application/x-www-form-urlencoded';
	} else if (options.json !== undefined) {
		body = JSON.stringify(options.json);
		headers['content-type'] = 'application/json';
	}
	return new Promise((resolve, reject) => {
		const req = httpsRequest(url, { method, headers, ca: CA, agent: false }, (res) => {
			const chunks: Buffer[] = [];
			res.on('data', (c: Buffer) => chunks.push(c));
			res.on('error', reject);
			res.on('end', () => {
				const text = Buffer.concat(chunks).toString('utf8');
				let json: unknown;
				try {
					json = JSON.parse(text);
				} catch {
					json = undefined;
				}
				resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
			});
		});
		req.on('error', reject);
		req.end(body);
	});
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const claimsOf = (jwt: string) =>
	JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8'));
const nowS = () => Math.floor(Date.now() / 1000);

/** A client assertion signed with node:crypto, RS256 + x5t or PS256 + x5t#S256. */
function assertion(opts: {
	clientId: string;
	aud: string;
	alg?: 'RS256' | 'PS256';
	key?: crypto.KeyObject;
	der?: Buffer;
	exp?: number;
	nbf?: number;
}): string {
	const { alg = 'RS256', key = crypto.createPrivateKey(CLIENT_KEY), der = CLIENT_DER } = opts;
	const header =
		alg === 'RS256'
			? { alg, typ: 'JWT', x5t: crypto.createHash('sha1').update(der).digest('base64url') }
			: {
					alg,
					typ: 'JWT',
					'x5t#S256': crypto.createHash('sha256').update(der).digest('base64url'),
				};
	const payload = {
		aud: opts.aud,
		iss: opts.clientId,
		sub: opts.clientId,
		jti: crypto.randomUUID(),
		nbf: opts.nbf ?? nowS(),
		exp: opts.exp ?? nowS() + 600,
	};
	const input = `${b64url(header)}.${b64url(payload)}`;
	const signature =
		alg === 'RS256'
			? crypto.sign('sha256', Buffer.from(input), key)
			: crypto.sign('sha256', Buffer.from(input), {
					key,
					padding: crypto.constants.RSA_PKCS1_PSS_PADDING,
					saltLength: 32,
				});
	return `${input}.${signature.toString('base64url')}`;
}

let emu: Emulator;
let clientId: string;
const SECRET = 'test-secret-value';

/** A fresh tenant with the shared app consented (so tests do not see each other's incidents). */
function newTenant(roles: Partial<Record<Api, string[]>> = ALL_ROLES, domains: string[] = []) {
	const tenant = emu.addTenant({ domains });
	emu.consent({ tenantId: tenant.id, clientId, roles });
	return tenant.id;
}

function tokenRequest(tenant: string, form: Record<string, string>, v1 = false) {
	const path = v1 ? 'oauth2/token' : 'oauth2/v2.0/token';
	return call('POST', `${emu.url}/${tenant}/${path}`, {
		form: { grant_type: 'client_credentials', client_id: clientId, ...form },
	});
}

const baseOf = (api: Api) =>
	api === 'xdr' ? emu.defenderApiUrl : api === 'graph' ? emu.graphApiUrl : emu.endpointApiUrl;

async function tokenFor(tenant: string, api: Api): Promise<string> {
	const reply = await tokenRequest(tenant, {
		client_secret: SECRET,
		scope: `${baseOf(api)}/.default`,
	});
	expect(reply.status).toBe(200);
	return reply.json.access_token;
}

async function apiCall(tenant: string, api: Api, method: string, path: string, json?: unknown) {
	const token = await tokenFor(tenant, api);
	const url = path.startsWith('https://') ? path : `${baseOf(api)}${path}`;
	return call(method, url, { headers: { authorization: `Bearer ${token}` }, json });
}

beforeAll(async () => {
	emu = await startEmulator();
	clientId = emu.addApp({
		secrets: [{ value: SECRET }, { value: 'expired-secret', expiresAt: '2020-01-01T00:00:00Z' }],
		certificates: [{ certPem: CLIENT_CERT }],
	}).clientId;
});

afterAll(async () => {
	await emu.stop();
});

describe('token endpoints', () => {
	let tenantId: string;
	beforeAll(() => {
		tenantId = newTenant({ ...ALL_ROLES, mde: [] }, ['contoso-tokens.example']);
	});

	it('serves the discovery documents MSAL fetches', async () => {
		const config = await call(
			'GET',
			`${emu.url}/contoso-tokens.example/v2.0/.well-known/openid-configuration`,
		);
		expect(config.status).toBe(200);
		expect(config.json).toMatchObject({
			issuer: `${emu.url}/${tenantId}/v2.0`,
			token_endpoint: `${emu.url}/${tenantId}/oauth2/v2.0/token`,
			authorization_endpoint: `${emu.url}/${tenantId}/oauth2/v2.0/authorize`,
			jwks_uri: `${emu.url}/${tenantId}/discovery/v2.0/keys`,
		});
		const instance = await call(
			'GET',
			`${emu.url}/common/discovery/instance?api-version=1.1&authorization_endpoint=${emu.url}/${tenantId}/oauth2/v2.0/authorize`,
		);
		expect(instance.json.tenant_discovery_endpoint).toBe(
			`${emu.url}/${tenantId}/v2.0/.well-known/openid-configuration`,
		);
		const keys = await call('GET', `${emu.url}/${tenantId}/discovery/v2.0/keys`);
		expect(keys.json.keys[0]).toMatchObject({ kty: 'RSA', use: 'sig' });
	});

	it('issues a v2 token for a client secret, by tenant GUID or domain', async () => {
		for (const tenant of [tenantId, 'contoso-tokens.example']) {
			const reply = await tokenRequest(tenant, {
				client_secret: SECRET,
				scope: `${emu.defenderApiUrl}/.default`,
			});
			expect(reply.status).toBe(200);
			expect(reply.json).toMatchObject({
				token_type: 'Bearer',
				expires_in: 3599,
				ext_expires_in: 3599,
			});
			const claims = claimsOf(reply.json.access_token);
			expect(claims).toMatchObject({
				aud: emu.defenderApiUrl,
				iss: `https://sts.windows.net/${tenantId}/`,
				tid: tenantId,
				appid: clientId,
				roles: ALL_ROLES.xdr,
			});
			expect(claims.exp - nowS()).toBeGreaterThan(3590);
			expect(typeof claims.uti).toBe('string');
			expect(claims.oid).toBe(claims.sub);
		}
	});

	it('issues v1 tokens for a resource, with numbers as strings', async () => {
		const reply = await tokenRequest(
			tenantId,
			{ client_secret: SECRET, resource: emu.graphApiUrl },
			true,
		);
		expect(reply.status).toBe(200);
		expect(reply.json).toMatchObject({
			token_type: 'Bearer',
			expires_in: '3599',
			resource: emu.graphApiUrl,
		});
		expect(claimsOf(reply.json.access_token).aud).toBe(emu.graphApiUrl);
	});

	it('omits roles when the app has no permission on that API', async () => {
		const reply = await tokenRequest(tenantId, {
			client_secret: SECRET,
			scope: `${emu.endpointApiUrl}/.default`,
		});
		expect(reply.status).toBe(200);
		expect(claimsOf(reply.json.access_token)).not.toHaveProperty('roles');
	});

	it('accepts certificate assertions: RS256 + x5t and PS256 + x5t#S256, v2 or v1 audience', async () => {
		const cases = [
			{ alg: 'RS256' as const, aud: `${emu.url}/${tenantId}/oauth2/v2.0/token` },
			{ alg: 'PS256' as const, aud: `${emu.url}/contoso-tokens.example/oauth2/token` },
			{ alg: 'RS256' as const, aud: `${emu.url}/${tenantId}/oauth2/v2.0/token`, nbf: nowS() + 60 },
		];
		for (const c of cases) {
			const reply = await tokenRequest(tenantId, {
				client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
				client_assertion: assertion({ clientId, ...c }),
				scope: `${emu.graphApiUrl}/.default`,
			});
			expect(reply.status).toBe(200);
			expect(claimsOf(reply.json.access_token)).toMatchObject({
				aud: emu.graphApiUrl,
				appidacr: '2',
			});
		}
	});

	it('answers the real AADSTS errors with Entra error bodies', async () => {
		const stranger = emu.addTenant().id;
		const aud = `${emu.url}/${tenantId}/oauth2/v2.0/token`;
		const other = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
		const jwtBearer = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
		const scope = `${emu.defenderApiUrl}/.default`;
		const cases: Array<[string, Record<string, string>, number, string, number]> = [
			['not a tenant!', { client_secret: SECRET, scope }, 400, 'invalid_request', 900023],
			[
				'00000000-0000-0000-0000-000000000001',
				{ client_secret: SECRET, scope },
				400,
				'invalid_request',
				90002,
			],
			['unknown.example', { client_secret: SECRET, scope }, 400, 'invalid_request', 90002],
			[stranger, { client_secret: SECRET, scope }, 400, 'unauthorized_client', 700016],
			[tenantId, { client_secret: 'wrong', scope }, 401, 'invalid_client', 7000215],
			[tenantId, { client_secret: 'expired-secret', scope }, 401, 'invalid_client', 7000222],
			[
				tenantId,
				{ client_secret: SECRET, scope: 'https://unknown.example/.default' },
				400,
				'invalid_resource',
				500011,
			],
			[
				tenantId,
				{ client_secret: SECRET, scope: `${emu.defenderApiUrl}/Incident.Read.All` },
				400,
				'invalid_scope',
				1002012,
			],
			[tenantId, { scope }, 401, 'invalid_client', 7000218],
			[
				tenantId,
				{
					client_assertion_type: jwtBearer,
					client_assertion: assertion({
						clientId,
						aud,
						key: other.privateKey,
						der: Buffer.from('unknown cert'),
					}),
					scope,
				},
				401,
				'invalid_client',
				700027,
			],
			[
				tenantId,
				{
					client_assertion_type: jwtBearer,
					client_assertion: assertion({ clientId, aud, key: other.privateKey }),
					scope,
				},
				401,
				'invalid_client',
				700027,
			],
			[
				tenantId,
				{
					client_assertion_type: jwtBearer,
					client_assertion: assertion({
						clientId,
						aud: `${emu.url}/${stranger}/oauth2/v2.0/token`,
					}),
					scope,
				},
				401,
				'invalid_client',
				700027,
			],
			[
				tenantId,
				{
					client_assertion_type: jwtBearer,
					client_assertion: assertion({ clientId, aud, exp: nowS() - 10, nbf: nowS() - 700 }),
					scope,
				},
				401,
				'invalid_client',
				700024,
			],
			[
				tenantId,
				{
					client_assertion_type: jwtBearer,
					client_assertion: assertion({ clientId, aud, nbf: nowS() + 900, exp: nowS() + 1500 }),
					scope,
				},
				401,
				'invalid_client',
				700024,
			],
		];
		for (const [tenant, form, status, error, code] of cases) {
			const reply = await tokenRequest(tenant, form);
			expect({ tenant, code, status: reply.status, error: reply.json.error }).toEqual({
				tenant,
				code,
				status,
				error,
			});
			expect(reply.json.error_codes).toEqual([code]);
			expect(reply.json.error_description).toMatch(
				new RegExp(
					`^AADSTS${code}: .+\\r\\nTrace ID: [0-9a-f-]{36}\\r\\nCorrelation ID: [0-9a-f-]{36}\\r\\nTimestamp: `,
				),
			);
			expect(reply.json).toHaveProperty('trace_id');
			expect(reply.json).toHaveProperty('correlation_id');
			expect(reply.json).toHaveProperty('timestamp');
		}
	});

	it('stops accepting the old secret after rotateSecret', async () => {
		const app = emu.addApp({ secrets: [{ value: 'first' }] });
		emu.consent({ tenantId, clientId: app.clientId, roles: ALL_ROLES });
		const form = (secret: string) => ({
			grant_type: 'client_credentials',
			client_id: app.clientId,
			client_secret: secret,
			scope: `${emu.defenderApiUrl}/.default`,
		});
		expect(
			(await call('POST', `${emu.url}/${tenantId}/oauth2/v2.0/token`, { form: form('first') }))
				.status,
		).toBe(200);
		emu.rotateSecret(app.clientId, 'second');
		expect(
			(await call('POST', `${emu.url}/${tenantId}/oauth2/v2.0/token`, { form: form('first') })).json
				.error_codes,
		).toEqual([7000215]);
		expect(
			(await call('POST', `${emu.url}/${tenantId}/oauth2/v2.0/token`, { form: form('second') }))
				.status,
		).toBe(200);
	});
});

describe('API authentication and permissions', () => {
	let tenantId: string;
	beforeAll(() => {
		tenantId = newTenant();
		emu.createIncident(tenantId, { title: 'mine' });
	});

	it('answers 401 with WWW-Authenticate without a token, or with a token for another API', async () => {
		const none = await call('GET', `${emu.defenderApiUrl}/api/incidents`);
		expect(none.status).toBe(401);
		expect(none.headers['www-authenticate']).toMatch(/^Bearer/);
		expect(none.json.error.code).toBe('Unauthorized');
		const graphToken = await tokenFor(tenantId, 'graph');
		const wrongAud = await call('GET', `${emu.defenderApiUrl}/api/incidents`, {
			headers: { authorization: `Bearer ${graphToken}` },
		});
		expect(wrongAud.status).toBe(401);
	});

	it('refuses revoked and expired tokens', async () => {
		const token = await tokenFor(tenantId, 'xdr');
		const get = () =>
			call('GET', `${emu.defenderApiUrl}/api/incidents`, {
				headers: { authorization: `Bearer ${token}` },
			});
		expect((await get()).status).toBe(200);
		emu.revokeTokens();
		expect((await get()).status).toBe(401);
		expect((await apiCall(tenantId, 'xdr', 'GET', '/api/incidents')).status).toBe(200);

		emu.setTokenLifetime(1);
		try {
			const shortLived = await tokenFor(tenantId, 'xdr');
			await new Promise((r) => setTimeout(r, 2100));
			const expired = await call('GET', `${emu.defenderApiUrl}/api/incidents`, {
				headers: { authorization: `Bearer ${shortLived}` },
			});
			expect(expired.status).toBe(401);
			expect(expired.json.error.message).toMatch(/expired/);
		} finally {
			emu.setTokenLifetime(3599);
		}
	});

	it('answers 403 naming the missing permission, and scopes data to the token tenant', async () => {
		const readOnly = newTenant({ xdr: ['Incident.Read.All'], graph: [] });
		emu.createIncident(readOnly, { title: 'theirs' });
		const list = await apiCall(readOnly, 'xdr', 'GET', '/api/incidents');
		expect(list.json.value.map((i: { incidentName: string }) => i.incidentName)).toEqual([
			'theirs',
		]);
		const id = list.json.value[0].incidentId;
		const patch = await apiCall(readOnly, 'xdr', 'PATCH', `/api/incidents/${id}`, {
			status: 'Resolved',
		});
		expect(patch.status).toBe(403);
		expect(patch.json.error.code).toBe('Forbidden');
		expect(patch.json.error.message).toContain('Incident.ReadWrite.All');
		const hunt = await apiCall(readOnly, 'xdr', 'POST', '/api/advancedhunting/run', {
			Query: 'DeviceInfo',
		});
		expect(hunt.json.error.message).toContain('AdvancedHunting.Read.All');
		const graph = await apiCall(readOnly, 'graph', 'GET', '/v1.0/security/incidents');
		expect(graph.status).toBe(403);
		expect(graph.json.error.message).toContain('SecurityIncident.Read.All');
		// Another tenant's incident id is unknown here.
		expect((await apiCall(tenantId, 'xdr', 'GET', `/api/incidents/${id}`)).status).toBe(404);
	});
});

describe('incidents on the Defender XDR API', () => {
	it('pages 250 incidents by 100 with @odata.nextLink, newest update first', async () => {
		const tenantId = newTenant();
		emu.seedIncidents(tenantId, 250);
		const pages: number[] = [];
		const seen: Array<{ incidentId: number; lastUpdateTime: string }> = [];
		let next: string | undefined = `${emu.defenderApiUrl}/api/incidents`;
		while (next) {
			const reply = await apiCall(tenantId, 'xdr', 'GET', next);
			expect(reply.status).toBe(200);
			pages.push(reply.json.value.length);
			seen.push(...reply.json.value);
			next = reply.json['@odata.nextLink'];
		}
		expect(pages).toEqual([100, 100, 50]);
		expect(new Set(seen.map((i) => i.incidentId)).size).toBe(250);
		const times = seen.map((i) => i.lastUpdateTime);
		expect([...times].sort().reverse()).toEqual(times);
		expect(times[0]).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}Z$/);
		expect((await apiCall(tenantId, 'xdr', 'GET', '/api/incidents?$top=101')).status).toBe(400);
		const small = await apiCall(tenantId, 'xdr', 'GET', '/api/incidents?$top=5&$skip=245');
		expect(small.json.value).toHaveLength(5);
		expect(small.json).not.toHaveProperty('@odata.nextLink');
	});

	it('filters on times (bare or quoted), status and assignedTo with an escaped quote', async () => {
		const tenantId = newTenant();
		emu.createIncident(tenantId, {
			title: 'old',
			createdTime: '2026-01-01T00:00:00Z',
			assignedTo: "o'brien@contoso.com",
		});
		emu.createIncident(tenantId, {
			title: 'mid',
			createdTime: '2026-01-15T00:00:00Z',
			lastUpdateTime: '2026-02-01T00:00:00.1234567Z',
			status: 'Resolved',
		});
		emu.createIncident(tenantId, {
			title: 'new',
			createdTime: '2026-02-15T00:00:00Z',
			lastUpdateTime: '2026-03-01T00:00:00Z',
			status: 'InProgress',
		});
		const names = async (filter: string) => {
			const reply = await apiCall(
				tenantId,
				'xdr',
				'GET',
				`/api/incidents?$filter=${encodeURIComponent(filter)}`,
			);
			expect(reply.status).toBe(200);
			return reply.json.value.map((i: { incidentName: string }) => i.incidentName);
		};
		expect(await names('lastUpdateTime ge 2026-02-01T00:00:00Z')).toEqual(['new', 'mid']);
		expect(await names("lastUpdateTime gt '2026-02-01T00:00:00.1234567Z'")).toEqual(['new']);
		expect(await names('createdTime lt 2026-01-15T00:00:00Z')).toEqual(['old']);
		expect(await names("status eq 'Resolved' and lastUpdateTime lt 2026-03-01T00:00:00Z")).toEqual([
			'mid',
		]);
		expect(await names("assignedTo eq 'o''brien@contoso.com'")).toEqual(['old']);
		const unsupported = await apiCall(
			tenantId,
			'xdr',
			'GET',
			`/api/incidents?$filter=${encodeURIComponent("severity eq 'High'")}`,
		);
		expect(unsupported.status).toBe(400);
		expect(unsupported.json.error).toMatchObject({ code: 'BadRequest' });
		expect(unsupported.json.error.message).toContain("Could not find a property named 'severity'");
	});

	it('gets, patches and validates incidents', async () => {
		const tenantId = newTenant();
		const [first, second] = emu.seedIncidents(tenantId, 2);
		const got = await apiCall(tenantId, 'xdr', 'GET', `/api/incidents/${first.id}`);
		expect(got.json).toMatchObject({
			incidentId: first.id,
			incidentName: first.title,
			status: first.status,
			classification: 'Unknown',
			determination: 'NotAvailable',
		});
		expect(got.json.alerts[0].devices[0]).toHaveProperty('deviceDnsName');
		expect(got.json.alerts[0].devices[0]).toHaveProperty('mdatpDeviceId');
		const missing = await apiCall(tenantId, 'xdr', 'GET', '/api/incidents/999');
		expect(missing.status).toBe(404);
		expect(missing.json.error).toMatchObject({
			code: 'NotFound',
			message: 'Incident 999 not found',
		});

		const patched = await apiCall(tenantId, 'xdr', 'PATCH', `/api/incidents/${first.id}`, {
			status: 'Resolved',
			classification: 'TruePositive',
			determination: 'Malware',
			assignedTo: 'me@contoso.com',
			tags: ['a', 'b'],
			comment: 'done',
		});
		expect(patched.status).toBe(200);
		expect(patched.json).toMatchObject({
			status: 'Resolved',
			classification: 'TruePositive',
			determination: 'Malware',
			assignedTo: 'me@contoso.com',
			tags: ['a', 'b'],
		});
		expect(patched.json.comments).toEqual([
			expect.objectContaining({ comment: 'done', createdBy: `API-App:${clientId}` }),
		]);
		expect(patched.json.lastUpdateTime > second.lastUpdateTime).toBe(true);
		const list = await apiCall(tenantId, 'xdr', 'GET', '/api/incidents');
		expect(list.json.value[0].incidentId).toBe(first.id);

		const invalid = await apiCall(tenantId, 'xdr', 'PATCH', `/api/incidents/${first.id}`, {
			status: 'Closed',
		});
		expect(invalid.status).toBe(400);
		expect(invalid.json.error.message).toContain("'status'");
		expect(
			(await apiCall(tenantId, 'xdr', 'PATCH', `/api/incidents/${first.id}`, { tags: 'x' })).status,
		).toBe(400);
	});

	it('moves an incident to the top when the portal changes it (updateIncident)', async () => {
		const tenantId = newTenant();
		const [oldest] = emu.seedIncidents(tenantId, 3);
		const updated = emu.updateIncident(tenantId, oldest.id, {
			severity: 'High',
			comment: 'escalated',
		});
		expect(updated.lastUpdateTime > oldest.lastUpdateTime).toBe(true);
		expect(emu.listIncidents(tenantId)[0].id).toBe(oldest.id);
		const late = emu.createIncident(tenantId, {
			title: 'late',
			lastUpdateTime: '2020-01-01T00:00:00Z',
		});
		expect(emu.listIncidents(tenantId).at(-1)?.id).toBe(late.id);
		expect(emu.getIncident(tenantId, 1)).toBeNull();
	});
});

describe('incidents on Microsoft Graph', () => {
	let tenantId: string;
	beforeAll(() => {
		tenantId = newTenant();
		emu.seedIncidents(tenantId, 120);
	});

	it('pages by 50 with an absolute @odata.nextLink and renders the Graph shape', async () => {
		const pages: number[] = [];
		let next: string | undefined = `${emu.graphApiUrl}/v1.0/security/incidents`;
		let first: Record<string, unknown> | undefined;
		while (next) {
			const reply = await apiCall(tenantId, 'graph', 'GET', next);
			expect(reply.status).toBe(200);
			first ??= reply.json.value[0];
			pages.push(reply.json.value.length);
			next = reply.json['@odata.nextLink'];
			if (next)
				expect(next).toMatch(
					new RegExp(`^${emu.graphApiUrl}/v1\\.0/security/incidents\\?.*\\$skip=\\d+`),
				);
		}
		expect(pages).toEqual([50, 50, 20]);
		expect(first).toMatchObject({
			id: expect.any(String),
			tenantId,
			displayName: expect.any(String),
			classification: 'unknown',
			determination: 'unknown',
		});
		expect(first).not.toHaveProperty('alerts');
		expect(['active', 'inProgress', 'resolved']).toContain(first?.status);
		expect(
			(await apiCall(tenantId, 'graph', 'GET', '/v1.0/security/incidents?$top=51')).status,
		).toBe(400);
	});

	it('filters, expands alerts, patches and comments', async () => {
		const filter = encodeURIComponent("severity eq 'high' and status eq 'active'");
		const filtered = await apiCall(
			tenantId,
			'graph',
			'GET',
			`/v1.0/security/incidents?$filter=${filter}&$expand=alerts&$top=5`,
		);
		expect(filtered.status).toBe(200);
		for (const inc of filtered.json.value) {
			expect(inc).toMatchObject({ severity: 'high', status: 'active' });
			expect(inc.alerts[0].evidence[0]).toHaveProperty('deviceDnsName');
		}
		const id = filtered.json.value[0].id;
		const patched = await apiCall(tenantId, 'graph', 'PATCH', `/v1.0/security/incidents/${id}`, {
			status: 'resolved',
			classification: 'falsePositive',
			determination: 'notMalicious',
			customTags: ['graph'],
		});
		expect(patched.json).toMatchObject({
			id,
			status: 'resolved',
			classification: 'falsePositive',
			determination: 'notMalicious',
			customTags: ['graph'],
		});
		expect(
			(
				await apiCall(tenantId, 'graph', 'PATCH', `/v1.0/security/incidents/${id}`, {
					status: 'Closed',
				})
			).status,
		).toBe(400);
		const comments = await apiCall(
			tenantId,
			'graph',
			'POST',
			`/v1.0/security/incidents/${id}/comments`,
			{
				'@odata.type': 'microsoft.graph.security.alertComment',
				comment: 'from graph',
			},
		);
		expect(comments.json.value.at(-1)).toMatchObject({
			comment: 'from graph',
			createdByDisplayName: `API-App:${clientId}`,
		});
		// Both APIs render the same canonical incident.
		const xdr = await apiCall(tenantId, 'xdr', 'GET', `/api/incidents/${id}`);
		expect(xdr.json).toMatchObject({
			status: 'Resolved',
			classification: 'FalsePositive',
			determination: 'NotMalicious',
			tags: ['graph'],
		});
		const bad = await apiCall(
			tenantId,
			'graph',
			'GET',
			`/v1.0/security/incidents?$filter=${encodeURIComponent("title eq 'x'")}`,
		);
		expect(bad.status).toBe(400);
		expect(bad.json.error.message).toContain("'title'");
	});
});

describe('advanced hunting', () => {
	let tenantId: string;
	beforeAll(() => {
		tenantId = newTenant();
		emu.setHuntingTable(tenantId, 'Logons', {
			schema: [
				{ name: 'Account', type: 'String' },
				{ name: 'Count', type: 'Int32' },
				{ name: 'Extra', type: 'Dynamic' },
			],
			rows: [
				{ Account: 'alice', Count: 5, Extra: '{"a":1}' },
				{ Account: 'bob', Count: 7, Extra: '{"b":2}' },
				{ Account: 'Alice', Count: 5, Extra: '{}' },
			],
		});
	});
	const hunt = (api: Api, query: string) =>
		api === 'xdr'
			? apiCall(tenantId, 'xdr', 'POST', '/api/advancedhunting/run', { Query: query })
			: apiCall(tenantId, 'graph', 'POST', '/v1.0/security/runHuntingQuery', {
					Query: query,
					Timespan: 'P7D',
				});

	it('runs the KQL subset on the XDR API', async () => {
		const reply = await hunt('xdr', 'Logons\n| where Count == 5\n| project Account, Count');
		expect(reply.status).toBe(200);
		expect(reply.json.Schema).toEqual([
			{ Name: 'Account', Type: 'String' },
			{ Name: 'Count', Type: 'Int32' },
		]);
		expect(reply.json.Results).toEqual([
			{ Account: 'alice', Count: 5 },
			{ Account: 'Alice', Count: 5 },
		]);
		expect(reply.json.Stats).toMatchObject({
			resource_usage: expect.any(Object),
			dataset_statistics: [{ table_row_count: 2, table_size: expect.any(Number) }],
		});
		expect((await hunt('xdr', 'Logons | where Account != "bob" | take 1')).json.Results).toEqual([
			{ Account: 'alice', Count: 5, Extra: '{"a":1}' },
		]);
		expect((await hunt('xdr', 'Logons | where Account =~ "ALICE" | count')).json).toMatchObject({
			Schema: [{ Name: 'Count', Type: 'Int64' }],
			Results: [{ Count: 2 }],
		});
		expect((await hunt('xdr', 'DeviceProcessEvents | limit 2')).json.Results).toHaveLength(2);
	});

	it('filters with and/or, has, comparisons and ago(), orders and summarizes', async () => {
		const recent = new Date(Date.now() - 3_600_000).toISOString();
		emu.setHuntingTable(tenantId, 'Events', {
			schema: [
				{ name: 'Timestamp', type: 'DateTime' },
				{ name: 'Device', type: 'String' },
				{ name: 'Url', type: 'String' },
			],
			rows: [
				{ Timestamp: recent, Device: 'a', Url: 'https://EVIL.example.com/x' },
				{
					Timestamp: '2020-01-01T00:00:00.0000000Z',
					Device: 'a',
					Url: 'https://evil.example.com/y',
				},
				{ Timestamp: recent, Device: 'b', Url: 'https://good.example.org' },
			],
		});
		const rows = async (query: string) => (await hunt('graph', query)).json.results;
		expect(
			await rows(
				'Events | where Timestamp > ago(1d) and Url has "evil.example" or Device == "b" | project Device',
			),
		).toEqual([{ Device: 'a' }, { Device: 'b' }]);
		expect(await rows('Events | order by Device desc | project Device')).toEqual([
			{ Device: 'b' },
			{ Device: 'a' },
			{ Device: 'a' },
		]);
		expect(await rows('Events | where Device == "x\\"y" | count')).toEqual([{ Count: 0 }]);
		expect(
			await rows(
				'Events | summarize N = count(), Last = max(Timestamp), Urls = dcount(Url) by Device | order by N desc',
			),
		).toEqual([
			{ Device: 'a', N: 2, Last: recent, Urls: 2 },
			{ Device: 'b', N: 1, Last: recent, Urls: 1 },
		]);
	});

	it('answers the Graph shape', async () => {
		const reply = await hunt('graph', 'Logons | project Account | take 2');
		expect(reply.json).toMatchObject({
			schema: [{ name: 'Account', type: 'String' }],
			results: [{ Account: 'alice' }, { Account: 'bob' }],
		});
		expect(reply.json['@odata.context']).toContain('huntingQueryResults');
	});

	it('reports syntax errors, unknown names and empty queries as 400 with the line', async () => {
		const syntax = await hunt('xdr', 'Logons\n| where Count = 5');
		expect(syntax.status).toBe(400);
		expect(syntax.json.error).toMatchObject({
			code: 'BadRequest',
			message: "Query could not be parsed at '=' on line [2,15]",
		});
		expect((await hunt('graph', 'Logons | extend X = 1')).json.error.message).toMatch(
			/parsed at 'extend' on line \[1,10\]/,
		);
		expect((await hunt('graph', 'Logons | summarize avg(Count)')).json.error.message).toMatch(
			/parsed at 'avg'/,
		);
		expect((await hunt('xdr', 'Nope | take 1')).json.error.message).toMatch(
			/'Nope' on line \[1,1\]/,
		);
		expect((await hunt('xdr', 'Logons | project Account, Nope')).json.error.message).toMatch(
			/'Nope' on line \[1,27\]/,
		);
		expect((await hunt('xdr', '   ')).status).toBe(400);
	});

	it('streams a generated 100,000 x 10 result', async () => {
		const schema = Array.from({ length: 10 }, (_, i) => ({
			name: `C${i}`,
			type: i === 0 ? 'Int64' : 'String',
		}));
		emu.setHuntingTable(tenantId, 'Big', {
			schema,
			rowCount: 150_000,
			row: (i: number) =>
				Object.fromEntries(schema.map((c, j) => [c.name, j === 0 ? i : `value-${j}-${i}`])),
		});
		const all = await hunt('xdr', 'Big');
		expect(all.json.Results).toHaveLength(100_000);
		expect(all.json.Results[99_999]).toMatchObject({ C0: 99_999, C9: 'value-9-99999' });
		expect((await hunt('graph', 'Big | count')).json.results).toEqual([{ Count: 150_000 }]);
		emu.setHuntingTable(tenantId, 'Synthetic', {
			schema: [
				{ name: 'When', type: 'DateTime' },
				{ name: 'Id', type: 'Guid' },
			],
			rowCount: 3,
		});
		expect((await hunt('xdr', 'Synthetic')).json.Results).toHaveLength(3);
	});
});

describe('quotas', () => {
	afterEach(() => emu.clearQuotas());

	it('answers 429 with Retry-After past the limit, per tenant', async () => {
		const tenantId = newTenant();
		const other = newTenant();
		emu.setQuota({ category: 'incidentList', limit: 2, windowMs: 60_000 });
		emu.resetCounters();
		expect((await apiCall(tenantId, 'xdr', 'GET', '/api/incidents')).status).toBe(200);
		expect((await apiCall(tenantId, 'xdr', 'GET', '/api/incidents')).status).toBe(200);
		const limited = await apiCall(tenantId, 'xdr', 'GET', '/api/incidents');
		expect(limited.status).toBe(429);
		expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
		expect(Number.isInteger(Number(limited.headers['retry-after']))).toBe(true);
		expect(limited.json.error).toEqual({
			code: 'TooManyRequests',
			message: 'API calls quota exceeded! maximum allowed 2 per 00:01:00',
			target: expect.any(String),
		});
		expect((await apiCall(other, 'xdr', 'GET', '/api/incidents')).status).toBe(200);
		expect((await apiCall(tenantId, 'graph', 'GET', '/v1.0/security/incidents')).status).toBe(200);
		expect(emu.count({ status: 429 })).toBe(1);
		expect(emu.count({ api: 'xdr', tenant: tenantId })).toBe(3);
	});
});

describe('faults and latency', () => {
	let tenantId: string;
	beforeAll(() => {
		tenantId = newTenant();
		emu.seedIncidents(tenantId, 3);
	});
	afterEach(() => {
		emu.clearFaults();
		emu.setLatency([0, 0]);
	});
	const list = () => apiCall(tenantId, 'xdr', 'GET', '/api/incidents');

	it('answers an injected status the given number of times', async () => {
		emu.injectFault({
			match: { api: 'xdr', path: '/api/incidents' },
			times: 2,
			fault: { status: 503 },
		});
		const first = await list();
		expect(first.status).toBe(503);
		expect(first.json.error.code).toBe('ServiceUnavailable');
		expect((await list()).status).toBe(503);
		expect((await list()).status).toBe(200);
		emu.injectFault({
			match: { method: 'GET', path: '/\\/incidents$/' },
			times: 1,
			fault: { status: 500, body: { custom: true }, headers: { 'x-test': '1' } },
		});
		const custom = await list();
		expect(custom).toMatchObject({ status: 500, json: { custom: true } });
		expect(custom.headers['x-test']).toBe('1');
	});

	it('resets the connection, sends malformed JSON or an HTML proxy page', async () => {
		emu.injectFault({ match: { api: 'xdr' }, fault: { reset: true } });
		await expect(list()).rejects.toThrow(/socket hang up|ECONNRESET/);
		emu.injectFault({ match: { api: 'xdr' }, fault: { malformedJson: true } });
		const malformed = await list();
		expect(malformed.status).toBe(200);
		expect(() => JSON.parse(malformed.text)).toThrow();
		emu.injectFault({ match: { api: 'xdr' }, fault: { html: true } });
		const html = await list();
		expect(html.status).toBe(502);
		expect(html.headers['content-type']).toContain('text/html');
		expect(html.text).toContain('502 Bad Gateway');
		expect(emu.requests.some((r) => r.fault === 'reset' && r.status === 0)).toBe(true);
	});

	it('faults login routes too, and delays or adds latency', async () => {
		emu.injectFault({ match: { api: 'login' }, fault: { status: 500 } });
		expect(
			(
				await tokenRequest(tenantId, {
					client_secret: SECRET,
					scope: `${emu.defenderApiUrl}/.default`,
				})
			).status,
		).toBe(500);
		emu.injectFault({ match: { api: 'xdr' }, fault: { delayMs: 300 } });
		const token = await tokenFor(tenantId, 'xdr');
		let started = Date.now();
		const delayed = await call('GET', `${emu.defenderApiUrl}/api/incidents`, {
			headers: { authorization: `Bearer ${token}` },
		});
		expect(delayed.status).toBe(200);
		expect(Date.now() - started).toBeGreaterThanOrEqual(290);
		emu.setLatency([150, 150]);
		started = Date.now();
		await call('GET', `${emu.defenderApiUrl}/api/incidents`, {
			headers: { authorization: `Bearer ${token}` },
		});
		expect(Date.now() - started).toBeGreaterThanOrEqual(140);
	});

	it('hangs until stop(), which ends promptly', async () => {
		const own = await startEmulator();
		own.injectFault({ match: { api: 'login' }, fault: { hang: true } });
		const pending = call('POST', `${own.url}/${crypto.randomUUID()}/oauth2/v2.0/token`).then(
			() => 'answered',
			() => 'closed',
		);
		while (own.requests.length === 0) await new Promise((r) => setTimeout(r, 20));
		const started = Date.now();
		await own.stop();
		expect(await pending).toBe('closed');
		expect(Date.now() - started).toBeLessThan(1000);
	});
});

const MDE_ROLES = {
	mde: [
		'Machine.ReadWrite.All',
		'Machine.Isolate',
		'Machine.Scan',
		'Machine.RestrictExecution',
		'Machine.CollectForensics',
		'Machine.StopAndQuarantine',
		'Alert.ReadWrite.All',
		'Ti.ReadWrite.All',
	],
	graph: ['SecurityIncident.ReadWrite.All', 'SecurityAlert.ReadWrite.All'],
	xdr: ['Incident.ReadWrite.All'],
};
const SHA1 = 'a'.repeat(40);
const q = (filter: string) => `$filter=${encodeURIComponent(filter)}`;

describe('Defender for Endpoint machines', () => {
	let tenantId: string;
	let ws: { id: string; computerDnsName: string };
	beforeAll(() => {
		tenantId = newTenant(MDE_ROLES);
		ws = emu.addMachine(tenantId, {
			computerDnsName: 'ws-0101.contoso.local',
			riskScore: 'High',
			machineTags: ['vip'],
			lastSeen: '2026-03-01T00:00:00Z',
		});
		emu.addMachine(tenantId, {
			computerDnsName: 'ws-0102.contoso.local',
			healthStatus: 'Inactive',
			lastSeen: '2026-01-01T00:00:00Z',
		});
		emu.addMachine(tenantId, {
			computerDnsName: 'srv-01.contoso.local',
			osPlatform: 'WindowsServer2022',
			exposureLevel: 'High',
			lastIpAddress: '10.1.1.1',
		});
	});
	const names = async (query: string) => {
		const reply = await apiCall(tenantId, 'mde', 'GET', `/api/machines?${query}`);
		expect(reply.status).toBe(200);
		return reply.json.value.map((m: { computerDnsName: string }) => m.computerDnsName);
	};

	it('lists machines in the MDE shape and filters them', async () => {
		const all = await apiCall(tenantId, 'mde', 'GET', '/api/machines');
		expect(all.json['@odata.context']).toBe(`${emu.endpointApiUrl}/api/$metadata#Machines`);
		expect(all.json.value[0]).toEqual({
			id: ws.id,
			computerDnsName: 'ws-0101.contoso.local',
			firstSeen: expect.stringMatching(/\.\d{7}Z$/),
			lastSeen: '2026-03-01T00:00:00.0000000Z',
			osPlatform: 'Windows11',
			version: expect.any(String),
			osProcessor: 'x64',
			osBuild: expect.any(Number),
			lastIpAddress: expect.any(String),
			lastExternalIpAddress: expect.any(String),
			healthStatus: 'Active',
			onboardingStatus: 'Onboarded',
			deviceValue: 'Normal',
			rbacGroupId: null,
			rbacGroupName: null,
			riskScore: 'High',
			exposureLevel: 'Low',
			isAadJoined: true,
			aadDeviceId: expect.any(String),
			machineTags: ['vip'],
		});
		expect(ws.id).toMatch(/^[0-9a-f]{40}$/);
		expect(await names(q("computerDnsName eq 'WS-0101.contoso.local'"))).toEqual([
			'ws-0101.contoso.local',
		]);
		expect(await names(q("startswith(computerDnsName,'ws-')"))).toEqual([
			'ws-0101.contoso.local',
			'ws-0102.contoso.local',
		]);
		expect(await names(q("machineTags/any(tag: tag eq 'vip')"))).toEqual(['ws-0101.contoso.local']);
		expect(await names(q("healthStatus eq 'Inactive' or exposureLevel eq 'High'"))).toEqual([
			'ws-0102.contoso.local',
			'srv-01.contoso.local',
		]);
		expect(await names(q("riskScore eq 'High' and lastSeen ge 2026-02-01T00:00:00Z"))).toEqual([
			'ws-0101.contoso.local',
		]);
		expect(
			await names(q("osPlatform eq 'WindowsServer2022' and lastIpAddress eq '10.1.1.1'")),
		).toEqual(['srv-01.contoso.local']);
		const page = await apiCall(tenantId, 'mde', 'GET', '/api/machines?$top=2');
		expect(page.json.value).toHaveLength(2);
		expect(page.json['@odata.nextLink']).toBe(`${emu.endpointApiUrl}/api/machines?$top=2&$skip=2`);
		expect(await names('$top=2&$skip=2')).toEqual(['srv-01.contoso.local']);
		expect((await apiCall(tenantId, 'mde', 'GET', '/api/machines?$top=10001')).status).toBe(400);
		const bad = await apiCall(
			tenantId,
			'mde',
			'GET',
			`/api/machines?${q("healthStatus eq 'Sleeping'")}`,
		);
		expect(bad.status).toBe(400);
		expect(bad.json.error.message).toContain("'healthStatus'");
	});

	it('gets a machine (404 when unknown) and adds and removes tags', async () => {
		const got = await apiCall(tenantId, 'mde', 'GET', `/api/machines/${ws.id}`);
		expect(got.json).toMatchObject({ id: ws.id, computerDnsName: ws.computerDnsName });
		const missing = await apiCall(tenantId, 'mde', 'GET', `/api/machines/${'0'.repeat(40)}`);
		expect(missing.status).toBe(404);
		expect(missing.json.error).toMatchObject({ code: 'NotFound', target: expect.any(String) });
		const added = await apiCall(tenantId, 'mde', 'POST', `/api/machines/${ws.id}/tags`, {
			Value: 'isolated',
			Action: 'Add',
		});
		expect(added.status).toBe(200);
		expect(added.json.machineTags).toEqual(['vip', 'isolated']);
		const removed = await apiCall(tenantId, 'mde', 'POST', `/api/machines/${ws.id}/tags`, {
			Value: 'vip',
			Action: 'Remove',
		});
		expect(removed.json.machineTags).toEqual(['isolated']);
		expect(emu.getMachine(tenantId, ws.id)?.machineTags).toEqual(['isolated']);
		const invalid = await apiCall(tenantId, 'mde', 'POST', `/api/machines/${ws.id}/tags`, {
			Value: 'x',
			Action: 'Toggle',
		});
		expect(invalid.status).toBe(400);
		expect(invalid.json.error.message).toContain("'Action'");
		expect(
			(await apiCall(tenantId, 'mde', 'POST', `/api/machines/${ws.id}/tags`, { Action: 'Add' }))
				.json.error.message,
		).toContain('Value');
	});
});

describe('Defender for Endpoint response actions', () => {
	const setup = (timeline: { pendingMs?: number; inProgressMs?: number; outcome?: string }) => {
		const tenantId = newTenant(MDE_ROLES);
		emu.setActionTimeline({ tenantId, ...timeline });
		return {
			tenantId,
			machine: emu.addMachine(tenantId, { computerDnsName: 'ws-0101.contoso.local' }),
		};
	};

	it('isolates: 201 Pending, then InProgress and Succeeded as time passes', async () => {
		const { tenantId, machine } = setup({ pendingMs: 200, inProgressMs: 200 });
		const created = await apiCall(tenantId, 'mde', 'POST', `/api/machines/${machine.id}/isolate`, {
			Comment: 'contain',
			IsolationType: 'Selective',
		});
		expect(created.status).toBe(201);
		expect(created.json).toMatchObject({
			id: expect.stringMatching(/^[0-9a-f-]{36}$/),
			type: 'Isolate',
			scope: 'Selective',
			requestor: clientId,
			requestorComment: 'contain',
			status: 'Pending',
			machineId: machine.id,
			computerDnsName: 'ws-0101.contoso.local',
			errorHResult: 0,
			relatedFileInfo: null,
		});
		expect(created.json.lastUpdateDateTimeUtc).toBe(created.json.creationDateTimeUtc);
		const seen: string[] = [];
		let action = created.json;
		while (!['Succeeded', 'Failed', 'TimeOut'].includes(action.status)) {
			await new Promise((r) => setTimeout(r, 50));
			action = (await apiCall(tenantId, 'mde', 'GET', `/api/machineactions/${created.json.id}`))
				.json;
			if (seen.at(-1) !== action.status) seen.push(action.status);
		}
		expect(action.status).toBe('Succeeded');
		expect(['Pending', 'InProgress', 'Succeeded'].filter((s) => seen.includes(s))).toEqual(seen);
		expect(
			Date.parse(action.lastUpdateDateTimeUtc) - Date.parse(action.creationDateTimeUtc),
		).toBeGreaterThanOrEqual(399);
		expect(emu.getMachineAction(tenantId, action.id)).toMatchObject({ status: 'Succeeded' });
		// Finished, so the same action may be asked for again.
		expect(
			(
				await apiCall(tenantId, 'mde', 'POST', `/api/machines/${machine.id}/isolate`, {
					Comment: 'again',
				})
			).json.scope,
		).toBe('Full');
	});

	it('refuses a second pending action of the same type on the device', async () => {
		const { tenantId, machine } = setup({ pendingMs: 60_000 });
		expect(
			(
				await apiCall(tenantId, 'mde', 'POST', `/api/machines/${machine.id}/isolate`, {
					Comment: 'one',
				})
			).status,
		).toBe(201);
		const second = await apiCall(tenantId, 'mde', 'POST', `/api/machines/${machine.id}/isolate`, {
			Comment: 'two',
			IsolationType: 'Full',
		});
		expect(second.status).toBe(400);
		expect(second.json.error).toEqual({
			code: 'ActiveRequestAlreadyExists',
			message: 'Action is already in progress',
			target: expect.any(String),
		});
		// Another type is independent.
		expect(
			(
				await apiCall(tenantId, 'mde', 'POST', `/api/machines/${machine.id}/runAntiVirusScan`, {
					Comment: 'scan',
					ScanType: 'Quick',
				})
			).status,
		).toBe(201);
	});

	it('validates Comment, enums and the SHA-1, and renders each action type', async () => {
		const { tenantId, machine } = setup({ pendingMs: 60_000 });
		const post = (action: string, body: unknown) =>
			apiCall(tenantId, 'mde', 'POST', `/api/machines/${machine.id}/${action}`, body);
		const noComment = await post('isolate', { IsolationType: 'Full' });
		expect(noComment.status).toBe(400);
		expect(noComment.json.error).toMatchObject({
			code: 'MissingRequiredParameter',
			message: expect.stringContaining('Comment'),
		});
		expect(
			(await post('isolate', { Comment: 'x', IsolationType: 'Partial' })).json.error.message,
		).toContain("'IsolationType'");
		expect((await post('runAntiVirusScan', { Comment: 'x' })).json.error.message).toContain(
			'ScanType',
		);
		expect(
			(await post('runAntiVirusScan', { Comment: 'x', ScanType: 'Deep' })).json.error.message,
		).toContain("'ScanType'");
		const badHash = await post('StopAndQuarantineFile', { Comment: 'x', Sha1: 'abc' });
		expect(badHash.status).toBe(400);
		expect(badHash.json.error).toMatchObject({
			code: 'InvalidHashValue',
			message: expect.stringContaining('Sha1'),
		});
		expect(
			(
				await apiCall(tenantId, 'mde', 'POST', `/api/machines/${'0'.repeat(40)}/isolate`, {
					Comment: 'x',
				})
			).status,
		).toBe(404);

		const cases: Array<[string, unknown, Record<string, unknown>]> = [
			[
				'runAntiVirusScan',
				{ Comment: 'c', ScanType: 'full' },
				{ type: 'RunAntiVirusScan', scope: 'Full' },
			],
			['restrictCodeExecution', { Comment: 'c' }, { type: 'RestrictCodeExecution', scope: null }],
			['unrestrictCodeExecution', { Comment: 'c' }, { type: 'UnrestrictCodeExecution' }],
			[
				'collectInvestigationPackage',
				{ comment: 'lower-case names bind too' },
				{ type: 'CollectInvestigationPackage', requestorComment: 'lower-case names bind too' },
			],
			[
				'StopAndQuarantineFile',
				{ Comment: 'c', Sha1: SHA1 },
				{
					type: 'StopAndQuarantineFile',
					relatedFileInfo: { fileIdentifier: SHA1, fileIdentifierType: 'Sha1' },
				},
			],
			['unisolate', { Comment: 'c' }, { type: 'Unisolate' }],
		];
		for (const [action, body, expected] of cases) {
			const reply = await post(action, body);
			expect({ action, status: reply.status }).toEqual({ action, status: 201 });
			expect(reply.json).toMatchObject({ status: 'Pending', ...expected });
		}
		const list = await apiCall(
			tenantId,
			'mde',
			'GET',
			`/api/machineactions?${q(`machineId eq '${machine.id}' and type eq 'Unisolate'`)}`,
		);
		expect(list.json.value.map((a: { type: string }) => a.type)).toEqual(['Unisolate']);
		const pending = await apiCall(
			tenantId,
			'mde',
			'GET',
			`/api/machineactions?${q(`status eq 'Pending' and requestor eq '${clientId}'`)}&$top=4`,
		);
		expect(pending.json.value).toHaveLength(4);
		expect(pending.json['@odata.nextLink']).toContain('$skip=4');
		expect(emu.listMachineActions(tenantId)).toHaveLength(6);
		const old = await apiCall(
			tenantId,
			'mde',
			'GET',
			`/api/machineactions?${q('creationDateTimeUtc le 2020-01-01T00:00:00Z')}`,
		);
		expect(old.json.value).toEqual([]);
		expect(
			(await apiCall(tenantId, 'mde', 'GET', `/api/machineactions/${crypto.randomUUID()}`)).status,
		).toBe(404);
	});

	it('ends in the configured outcome (Failed)', async () => {
		const { tenantId, machine } = setup({ pendingMs: 0, inProgressMs: 0, outcome: 'Failed' });
		const created = await apiCall(
			tenantId,
			'mde',
			'POST',
			`/api/machines/${machine.id}/runAntiVirusScan`,
			{ Comment: 'scan', ScanType: 'Quick' },
		);
		expect(created.json.status).toBe('Failed');
		const got = await apiCall(tenantId, 'mde', 'GET', `/api/machineactions/${created.json.id}`);
		expect(got.json).toMatchObject({ status: 'Failed', errorHResult: expect.any(Number) });
		expect(got.json.errorHResult).not.toBe(0);
		expect(() => emu.setActionTimeline({ outcome: 'Maybe' })).toThrow(/outcome/);
	});

	it('cancels a pending action once', async () => {
		const { tenantId, machine } = setup({ pendingMs: 60_000 });
		const created = await apiCall(tenantId, 'mde', 'POST', `/api/machines/${machine.id}/isolate`, {
			Comment: 'oops',
		});
		expect(
			(await apiCall(tenantId, 'mde', 'POST', `/api/machineactions/${created.json.id}/cancel`, {}))
				.status,
		).toBe(400);
		const cancelled = await apiCall(
			tenantId,
			'mde',
			'POST',
			`/api/machineactions/${created.json.id}/cancel`,
			{ Comment: 'wrong device' },
		);
		expect(cancelled.status).toBe(200);
		expect(cancelled.json).toMatchObject({
			status: 'Cancelled',
			cancellationRequestor: clientId,
			cancellationComment: 'wrong device',
			cancellationDateTimeUtc: expect.any(String),
		});
		const again = await apiCall(
			tenantId,
			'mde',
			'POST',
			`/api/machineactions/${created.json.id}/cancel`,
			{ Comment: 'again' },
		);
		expect(again.status).toBe(400);
		expect(again.json.error.code).toBe('DisallowedOperation');
		// Cancelled is not active: a new isolate is accepted.
		expect(
			(
				await apiCall(tenantId, 'mde', 'POST', `/api/machines/${machine.id}/isolate`, {
					Comment: 'now',
				})
			).status,
		).toBe(201);
	});
});

describe('alerts on Defender for Endpoint and Graph', () => {
	let tenantId: string;
	let incidentId: number;
	let machineId: string;
	beforeAll(() => {
		tenantId = newTenant(MDE_ROLES);
		machineId = emu.addMachine(tenantId, { computerDnsName: 'ws-0101.contoso.local' }).id;
		incidentId = emu.createIncident(tenantId, {
			title: 'with alerts',
			severity: 'Low',
			devices: ['ws-0101.contoso.local'],
			createdTime: '2026-01-01T00:00:00Z',
		}).id as number;
		emu.createAlert(tenantId, {
			incidentId,
			title: 'Second alert',
			severity: 'High',
			computerDnsName: 'ws-0101.contoso.local',
			createdTime: '2026-01-02T00:00:00Z',
			category: 'CredentialAccess',
		});
		emu.createAlert(tenantId, {
			title: 'Lonely alert',
			severity: 'informational',
			status: 'resolved',
			createdTime: '2026-01-03T00:00:00Z',
			assignedTo: 'soc@contoso.com',
		});
	});

	it("lists every alert, incidents' included, in the MDE shape with filters and evidence", async () => {
		const all = await apiCall(tenantId, 'mde', 'GET', '/api/alerts');
		expect(all.status).toBe(200);
		expect(all.json.value.map((a: { title: string }) => a.title)).toEqual([
			'Lonely alert',
			'Second alert',
			'with alerts',
		]);
		const [lonely, second, first] = all.json.value;
		expect(first).toMatchObject({
			incidentId,
			severity: 'Low',
			status: 'New',
			machineId,
			computerDnsName: 'ws-0101.contoso.local',
			alertCreationTime: '2026-01-01T00:00:00.0000000Z',
			classification: null,
			comments: [],
		});
		expect(second).toMatchObject({
			incidentId,
			severity: 'High',
			category: 'CredentialAccess',
			machineId,
		});
		expect(lonely).toMatchObject({
			severity: 'Informational',
			status: 'Resolved',
			resolvedTime: '2026-01-03T00:00:00.0000000Z',
			assignedTo: 'soc@contoso.com',
		});
		expect(lonely.incidentId).not.toBe(incidentId);
		expect(first).not.toHaveProperty('evidence');
		for (const key of [
			'investigationId',
			'determination',
			'investigationState',
			'detectionSource',
			'threatFamilyName',
			'description',
			'firstEventTime',
			'lastEventTime',
			'lastUpdateTime',
		]) {
			expect(first).toHaveProperty(key);
		}
		const titles = async (query: string) =>
			(await apiCall(tenantId, 'mde', 'GET', `/api/alerts?${query}`)).json.value.map(
				(a: { title: string }) => a.title,
			);
		expect(await titles(q(`incidentId eq ${incidentId} and severity eq 'High'`))).toEqual([
			'Second alert',
		]);
		expect(await titles(q("status eq 'Resolved' or category eq 'credentialaccess'"))).toEqual([
			'Lonely alert',
			'Second alert',
		]);
		expect(
			await titles(
				q('alertCreationTime gt 2026-01-01T00:00:00Z and lastUpdateTime lt 2026-01-03T00:00:00Z'),
			),
		).toEqual(['Second alert']);
		expect(
			await titles(q("assignedTo eq 'soc@contoso.com' and detectionSource eq 'WindowsDefenderAv'")),
		).toEqual(['Lonely alert']);
		expect(await titles('$top=1&$skip=2')).toEqual(['with alerts']);
		const expanded = await apiCall(
			tenantId,
			'mde',
			'GET',
			`/api/alerts?$expand=evidence&${q(`incidentId eq ${incidentId}`)}`,
		);
		expect(
			expanded.json.value[0].evidence.map((e: { entityType: string }) => e.entityType),
		).toEqual(['Process', 'User']);
		expect(
			(await apiCall(tenantId, 'mde', 'GET', `/api/alerts/${first.id}?$expand=evidence`)).json
				.evidence[0],
		).toHaveProperty('sha1');
		expect((await apiCall(tenantId, 'mde', 'GET', '/api/alerts/da000_1')).status).toBe(404);
		expect((await apiCall(tenantId, 'mde', 'GET', `/api/alerts?${q("title eq 'x'")}`)).status).toBe(
			400,
		);
	});

	it('patches an alert on MDE; Graph and the incident see the change', async () => {
		const [alert] = emu.listAlerts(tenantId).filter((a) => a.title === 'Second alert');
		const patched = await apiCall(tenantId, 'mde', 'PATCH', `/api/alerts/${alert.id}`, {
			status: 'Resolved',
			assignedTo: 'me@contoso.com',
			classification: 'TruePositive',
			determination: 'Malware',
			comment: 'cleaned',
		});
		expect(patched.status).toBe(200);
		expect(patched.json).toMatchObject({
			status: 'Resolved',
			assignedTo: 'me@contoso.com',
			classification: 'TruePositive',
			determination: 'Malware',
			resolvedTime: expect.any(String),
		});
		expect(patched.json.comments).toEqual([
			{ comment: 'cleaned', createdBy: `API-App:${clientId}`, createdTime: expect.any(String) },
		]);
		expect(patched.json.lastUpdateTime > alert.lastUpdateTime).toBe(true);
		const invalid = await apiCall(tenantId, 'mde', 'PATCH', `/api/alerts/${alert.id}`, {
			determination: 'Aliens',
		});
		expect(invalid.status).toBe(400);
		expect(invalid.json.error.message).toContain("'determination'");

		const graph = await apiCall(tenantId, 'graph', 'GET', `/v1.0/security/alerts_v2/${alert.id}`);
		expect(graph.json).toMatchObject({
			id: alert.id,
			incidentId: String(incidentId),
			status: 'resolved',
			classification: 'truePositive',
			determination: 'malware',
			assignedTo: 'me@contoso.com',
			severity: 'high',
		});
		expect(graph.json.comments).toEqual([
			expect.objectContaining({ comment: 'cleaned', createdByDisplayName: `API-App:${clientId}` }),
		]);
		const incident = await apiCall(tenantId, 'xdr', 'GET', `/api/incidents/${incidentId}`);
		expect(
			incident.json.alerts.find((a: { alertId: string }) => a.alertId === alert.id),
		).toMatchObject({ status: 'Resolved', classification: 'TruePositive' });
		expect(emu.getAlert(tenantId, alert.id)).toMatchObject({
			status: 'Resolved',
			severity: 'High',
		});
	});

	it('lists, filters and patches Graph alerts_v2', async () => {
		const list = await apiCall(tenantId, 'graph', 'GET', '/v1.0/security/alerts_v2');
		expect(list.json['@odata.context']).toBe(
			`${emu.graphApiUrl}/v1.0/$metadata#security/alerts_v2`,
		);
		expect(list.json.value).toHaveLength(3);
		expect(list.json.value[0]).toMatchObject({
			title: 'Lonely alert',
			severity: 'informational',
			status: 'resolved',
			serviceSource: 'microsoftDefenderForEndpoint',
			detectionSource: 'antivirus',
		});
		for (const key of [
			'alertWebUrl',
			'incidentWebUrl',
			'createdDateTime',
			'lastUpdateDateTime',
			'firstActivityDateTime',
			'lastActivityDateTime',
			'resolvedDateTime',
			'evidence',
			'category',
			'description',
		]) {
			expect(list.json.value[0]).toHaveProperty(key);
		}
		const titles = async (filter: string) =>
			(
				await apiCall(tenantId, 'graph', 'GET', `/v1.0/security/alerts_v2?${q(filter)}`)
			).json.value.map((a: { title: string }) => a.title);
		// alerts_v2 documents no incidentId filter (test/contracts/graph/endpoints.json): refused.
		const byIncident = await apiCall(
			tenantId,
			'graph',
			'GET',
			`/v1.0/security/alerts_v2?${q(`incidentId eq '${incidentId}'`)}`,
		);
		expect(byIncident.status).toBe(400);
		expect(byIncident.json.error.message).toContain("'incidentId'");
		expect(await titles("status eq 'new'")).toEqual(['with alerts']);
		expect(await titles('createdDateTime ge 2026-01-03T00:00:00Z')).toEqual(['Lonely alert']);
		const page = await apiCall(tenantId, 'graph', 'GET', '/v1.0/security/alerts_v2?$top=2');
		expect(page.json['@odata.nextLink']).toBe(
			`${emu.graphApiUrl}/v1.0/security/alerts_v2?$top=2&$skip=2`,
		);
		expect(
			(await apiCall(tenantId, 'graph', 'GET', '/v1.0/security/alerts_v2?$top=2001')).status,
		).toBe(400);

		const id = list.json.value.at(-1).id;
		const patched = await apiCall(tenantId, 'graph', 'PATCH', `/v1.0/security/alerts_v2/${id}`, {
			status: 'inProgress',
			classification: 'informationalExpectedActivity',
			determination: 'securityTesting',
			assignedTo: 'red@contoso.com',
		});
		expect(patched.json).toMatchObject({
			id,
			status: 'inProgress',
			classification: 'informationalExpectedActivity',
			determination: 'securityTesting',
			assignedTo: 'red@contoso.com',
			resolvedDateTime: null,
		});
		const invalid = await apiCall(tenantId, 'graph', 'PATCH', `/v1.0/security/alerts_v2/${id}`, {
			status: 'InProgressNow',
		});
		expect(invalid.status).toBe(400);
		expect(invalid.json.error).toMatchObject({
			code: 'BadRequest',
			message: expect.stringContaining("'status'"),
			innerError: expect.any(Object),
		});
		expect((await apiCall(tenantId, 'mde', 'GET', `/api/alerts/${id}`)).json).toMatchObject({
			status: 'InProgress',
			classification: 'InformationalExpectedActivity',
			determination: 'SecurityTesting',
		});
		const comments = await apiCall(
			tenantId,
			'graph',
			'POST',
			`/v1.0/security/alerts_v2/${id}/comments`,
			{ '@odata.type': 'microsoft.graph.security.alertComment', comment: 'from graph' },
		);
		expect(comments.json.value).toEqual([
			{
				'@odata.type': '#microsoft.graph.security.alertComment',
				comment: 'from graph',
				createdByDisplayName: `API-App:${clientId}`,
				createdDateTime: expect.any(String),
			},
		]);
		expect(
			(await apiCall(tenantId, 'graph', 'POST', `/v1.0/security/alerts_v2/${id}/comments`, {}))
				.status,
		).toBe(400);
		expect((await apiCall(tenantId, 'graph', 'GET', '/v1.0/security/alerts_v2/nope')).status).toBe(
			404,
		);
	});

	it('updateAlert moves lastUpdateTime; alerts created with an incident follow its severity', () => {
		const [first] = emu.listAlerts(tenantId).filter((a) => a.title === 'with alerts');
		const updated = emu.updateAlert(tenantId, first.id, { status: 'resolved', comment: 'portal' });
		expect(updated).toMatchObject({ status: 'Resolved', resolvedTime: updated.lastUpdateTime });
		expect(updated.comments.at(-1)).toMatchObject({ comment: 'portal', createdBy: 'emulator' });
		expect(updated.lastUpdateTime > first.lastUpdateTime).toBe(true);
		emu.updateIncident(tenantId, incidentId, { severity: 'Medium' });
		expect(emu.getAlert(tenantId, first.id)?.severity).toBe('Medium');
		expect(() => emu.updateAlert(tenantId, 'unknown', {})).toThrow(/not found/);
		expect(() => emu.createAlert(tenantId, { incidentId: 1 })).toThrow(/not found/);
	});
});

describe('Defender for Endpoint indicators', () => {
	it('creates, updates, lists, filters and deletes indicators', async () => {
		const tenantId = newTenant(MDE_ROLES);
		const created = await apiCall(tenantId, 'mde', 'POST', '/api/indicators', {
			indicatorValue: SHA1,
			indicatorType: 'FileSha1',
			action: 'BlockAndRemediate',
			title: 'bad file',
			description: 'seen in incident',
			severity: 'High',
			expirationTime: '2030-01-01T00:00:00Z',
			generateAlert: true,
			recommendedActions: 'isolate',
			rbacGroupNames: ['All'],
		});
		expect(created.status).toBe(200);
		expect(created.json).toMatchObject({
			id: expect.stringMatching(/^\d+$/),
			indicatorValue: SHA1,
			indicatorType: 'FileSha1',
			action: 'BlockAndRemediate',
			title: 'bad file',
			description: 'seen in incident',
			severity: 'High',
			expirationTime: '2030-01-01T00:00:00.0000000Z',
			generateAlert: true,
			recommendedActions: 'isolate',
			rbacGroupNames: ['All'],
			createdBy: clientId,
			creationTimeDateTimeUtc: expect.any(String),
		});
		const domain = await apiCall(tenantId, 'mde', 'POST', '/api/indicators', {
			indicatorValue: 'evil.example',
			indicatorType: 'DomainName',
			action: 'Block',
			title: 't',
			description: 'd',
		});
		expect(domain.json).toMatchObject({
			severity: 'Informational',
			generateAlert: false,
			expirationTime: null,
		});
		// Same type and value: updated in place.
		const again = await apiCall(tenantId, 'mde', 'POST', '/api/indicators', {
			indicatorValue: 'EVIL.example',
			indicatorType: 'DomainName',
			action: 'Warn',
			title: 't2',
			description: 'd',
		});
		expect(again.json).toMatchObject({ id: domain.json.id, action: 'Warn', title: 't2' });
		for (const [value, type] of [
			['10.0.0.1', 'IpAddress'],
			['https://evil.example/x', 'Url'],
			['b'.repeat(64), 'FileSha256'],
			['c'.repeat(32), 'FileMd5'],
			['D'.repeat(40), 'CertificateThumbprint'],
		]) {
			const reply = await apiCall(tenantId, 'mde', 'POST', '/api/indicators', {
				indicatorValue: value,
				indicatorType: type,
				action: 'Audit',
				title: 't',
				description: 'd',
				generateAlert: true,
			});
			expect({ type, status: reply.status }).toEqual({ type, status: 200 });
		}
		const list = await apiCall(tenantId, 'mde', 'GET', '/api/indicators');
		expect(list.json.value).toHaveLength(7);
		const filtered = await apiCall(
			tenantId,
			'mde',
			'GET',
			`/api/indicators?${q("indicatorType eq 'DomainName' or action eq 'BlockAndRemediate'")}`,
		);
		expect(filtered.json.value.map((i: { id: string }) => i.id)).toEqual([
			created.json.id,
			domain.json.id,
		]);
		expect(
			(await apiCall(tenantId, 'mde', 'GET', `/api/indicators?${q(`indicatorValue eq '${SHA1}'`)}`))
				.json.value,
		).toHaveLength(1);
		expect(emu.getIndicator(tenantId, created.json.id)).toMatchObject({ title: 'bad file' });

		const deleted = await apiCall(tenantId, 'mde', 'DELETE', `/api/indicators/${created.json.id}`);
		expect(deleted.status).toBe(204);
		expect(deleted.text).toBe('');
		expect(
			(await apiCall(tenantId, 'mde', 'DELETE', `/api/indicators/${created.json.id}`)).status,
		).toBe(404);
		expect(emu.listIndicators(tenantId)).toHaveLength(6);
		expect(emu.getIndicator(tenantId, created.json.id)).toBeNull();
	});

	it('answers 400 naming the invalid or missing field', async () => {
		const tenantId = newTenant(MDE_ROLES);
		const base = {
			indicatorValue: '10.0.0.1',
			indicatorType: 'IpAddress',
			action: 'Block',
			title: 't',
			description: 'd',
		};
		const cases: Array<[Record<string, unknown>, string, string]> = [
			[{ indicatorType: 'Hostname' }, 'InvalidInput', "'indicatorType'"],
			[{ action: 'Quarantine' }, 'InvalidInput', "'action'"],
			[{ indicatorValue: '999.1.1.1' }, 'InvalidIpAddress', "'indicatorValue'"],
			[
				{ indicatorType: 'FileSha256', indicatorValue: SHA1 },
				'InvalidHashValue',
				"'indicatorValue'",
			],
			[
				{ indicatorType: 'DomainName', indicatorValue: 'not a domain' },
				'InvalidDomainName',
				"'indicatorValue'",
			],
			[
				{ indicatorType: 'Url', indicatorValue: 'ftp://evil.example' },
				'InvalidUrl',
				"'indicatorValue'",
			],
			[{ title: undefined }, 'MissingRequiredParameter', 'title'],
			[{ description: '' }, 'MissingRequiredParameter', 'description'],
			[{ severity: 'Critical' }, 'InvalidInput', "'severity'"],
			[{ expirationTime: 'tomorrow' }, 'InvalidInput', 'expirationTime'],
			[{ generateAlert: 'yes' }, 'InvalidInput', 'generateAlert'],
		];
		for (const [change, code, named] of cases) {
			const reply = await apiCall(tenantId, 'mde', 'POST', '/api/indicators', {
				...base,
				...change,
			});
			expect({ change, status: reply.status, code: reply.json.error.code }).toEqual({
				change,
				status: 400,
				code,
			});
			expect(reply.json.error.message).toContain(named);
		}
		expect(emu.listIndicators(tenantId)).toEqual([]);
	});
});

describe('Defender for Endpoint and Graph alert permissions and quotas', () => {
	afterEach(() => emu.clearQuotas());

	it('answers 403 naming the missing permission', async () => {
		const tenantId = newTenant({
			// Indicators have no read-only permission (get-ti-indicators-collection.md: Ti.ReadWrite, Ti.ReadWrite.All).
			mde: ['Machine.Read.All', 'Alert.Read.All'],
			graph: ['SecurityAlert.Read.All'],
		});
		const machine = emu.addMachine(tenantId);
		const alert = emu.createAlert(tenantId, { machineId: machine.id });
		const action = { Comment: 'c' };
		const cases: Array<[Api, string, string, unknown, string]> = [
			[
				'mde',
				'POST',
				`/api/machines/${machine.id}/tags`,
				{ Value: 'x', Action: 'Add' },
				'Machine.ReadWrite.All',
			],
			['mde', 'POST', `/api/machines/${machine.id}/isolate`, action, 'Machine.Isolate'],
			['mde', 'POST', `/api/machines/${machine.id}/unisolate`, action, 'Machine.Isolate'],
			[
				'mde',
				'POST',
				`/api/machines/${machine.id}/runAntiVirusScan`,
				{ ...action, ScanType: 'Quick' },
				'Machine.Scan',
			],
			[
				'mde',
				'POST',
				`/api/machines/${machine.id}/restrictCodeExecution`,
				action,
				'Machine.RestrictExecution',
			],
			[
				'mde',
				'POST',
				`/api/machines/${machine.id}/unrestrictCodeExecution`,
				action,
				'Machine.RestrictExecution',
			],
			[
				'mde',
				'POST',
				`/api/machines/${machine.id}/collectInvestigationPackage`,
				action,
				'Machine.CollectForensics',
			],
			[
				'mde',
				'POST',
				`/api/machines/${machine.id}/StopAndQuarantineFile`,
				{ ...action, Sha1: SHA1 },
				'Machine.StopAndQuarantine',
			],
			[
				'mde',
				'POST',
				`/api/machineactions/${crypto.randomUUID()}/cancel`,
				action,
				// cancel-machine-action.md: any response-action permission, not Machine.ReadWrite.All.
				'Machine.CollectForensics or Machine.Isolate',
			],
			['mde', 'PATCH', `/api/alerts/${alert.id}`, { status: 'Resolved' }, 'Alert.ReadWrite.All'],
			['mde', 'POST', '/api/indicators', {}, 'Ti.ReadWrite.All'],
			['mde', 'DELETE', '/api/indicators/1', undefined, 'Ti.ReadWrite.All'],
			[
				'graph',
				'PATCH',
				`/v1.0/security/alerts_v2/${alert.id}`,
				{ status: 'resolved' },
				'SecurityAlert.ReadWrite.All',
			],
			[
				'graph',
				'POST',
				`/v1.0/security/alerts_v2/${alert.id}/comments`,
				{ comment: 'c' },
				'SecurityAlert.ReadWrite.All',
			],
		];
		for (const [api, method, path, body, role] of cases) {
			const reply = await apiCall(tenantId, api, method, path, body);
			expect({ path, status: reply.status, code: reply.json.error.code }).toEqual({
				path,
				status: 403,
				code: 'Forbidden',
			});
			expect(reply.json.error.message).toContain(role);
		}
		// The read permissions are enough to read.
		for (const path of [
			'/api/machines',
			`/api/machines/${machine.id}`,
			'/api/machineactions',
			'/api/alerts',
			`/api/alerts/${alert.id}`,
		]) {
			expect({ path, status: (await apiCall(tenantId, 'mde', 'GET', path)).status }).toEqual({
				path,
				status: 200,
			});
		}
		expect((await apiCall(tenantId, 'graph', 'GET', '/v1.0/security/alerts_v2')).status).toBe(200);

		const none = newTenant({ mde: ['Machine.Isolate'], graph: ['SecurityIncident.Read.All'] });
		const reads: Array<[Api, string, string]> = [
			['mde', '/api/machines', 'Machine.Read.All or Machine.ReadWrite.All'],
			['mde', '/api/machineactions', 'Machine.Read.All or Machine.ReadWrite.All'],
			['mde', '/api/alerts', 'Alert.Read.All or Alert.ReadWrite.All'],
			['mde', '/api/indicators', 'Ti.ReadWrite or Ti.ReadWrite.All'],
			[
				'graph',
				'/v1.0/security/alerts_v2',
				'SecurityAlert.Read.All or SecurityAlert.ReadWrite.All',
			],
		];
		for (const [api, path, roles] of reads) {
			const reply = await apiCall(none, api, 'GET', path);
			expect({ path, status: reply.status }).toEqual({ path, status: 403 });
			expect(reply.json.error.message).toContain(roles);
		}
	});

	it('counts every /mde route against the mde quota and Graph alerts against alerts', async () => {
		const tenantId = newTenant(MDE_ROLES);
		emu.setQuota({ category: 'mde', limit: 2, windowMs: 60_000 });
		emu.setQuota({ category: 'alerts', limit: 1, windowMs: 60_000 });
		expect((await apiCall(tenantId, 'mde', 'GET', '/api/machines')).status).toBe(200);
		expect((await apiCall(tenantId, 'mde', 'GET', '/api/indicators')).status).toBe(200);
		const limited = await apiCall(tenantId, 'mde', 'GET', '/api/alerts');
		expect(limited.status).toBe(429);
		expect(limited.json.error.message).toBe(
			'API calls quota exceeded! maximum allowed 2 per 00:01:00',
		);
		expect((await apiCall(tenantId, 'graph', 'GET', '/v1.0/security/alerts_v2')).status).toBe(200);
		expect((await apiCall(tenantId, 'graph', 'GET', '/v1.0/security/alerts_v2')).status).toBe(429);
		expect((await apiCall(tenantId, 'graph', 'GET', '/v1.0/security/incidents')).status).toBe(200);
	});
});

describe("Microsoft's contracts (test/contracts) decide what a request may carry", () => {
	const EVERY_ROLE = {
		xdr: ALL_ROLES.xdr,
		graph: [...ALL_ROLES.graph, ...MDE_ROLES.graph],
		mde: [...MDE_ROLES.mde, 'Library.Manage'],
	};
	it('refuses body members, values, filter fields and page sizes Microsoft does not list, in each API’s error shape', async () => {
		const tenantId = newTenant(EVERY_ROLE);
		const incident = emu.createIncident(tenantId, { devices: ['ws-1.contoso.local'] });
		const alertId = (incident.alerts as Array<{ id: string }>)[0].id;
		const cases: Array<[Api, string, string, unknown, RegExp]> = [
			['xdr', 'PATCH', `/api/incidents/${incident.id}`, { severity: 'High' }, /member 'severity'/],
			[
				'xdr',
				'PATCH',
				`/api/incidents/${incident.id}`,
				{ determination: 'NotEnoughDataToValidate' },
				/'determination'/,
			],
			['xdr', 'GET', `/api/incidents?${q("severity eq 'High'")}`, undefined, /'severity'/],
			['xdr', 'GET', '/api/incidents?$top=101', undefined, /limit of '100'/],
			[
				'xdr',
				'POST',
				'/api/advancedhunting/run',
				{ Query: 'x', Timespan: 'P1D' },
				/member 'Timespan'/,
			],
			[
				'graph',
				'PATCH',
				`/v1.0/security/incidents/${incident.id}`,
				{ determination: 'confirmedUserActivity' },
				/'determination'/,
			],
			[
				'graph',
				'GET',
				`/v1.0/security/alerts_v2?${q("incidentId eq '1'")}`,
				undefined,
				/'incidentId'/,
			],
			[
				'graph',
				'POST',
				'/v1.0/security/runHuntingQuery',
				{ Query: 'x', Timespan: 'last week' },
				/Timespan/,
			],
			[
				'mde',
				'PATCH',
				`/api/alerts/${alertId}`,
				{ determination: 'CompromisedAccount' },
				/'determination'/,
			],
			[
				'mde',
				'POST',
				'/api/indicators',
				{
					indicatorValue: 'evil.example',
					indicatorType: 'DomainName',
					action: 'Audit',
					title: 't',
					description: 'd',
				},
				/'generateAlert' must be true/,
			],
			['mde', 'GET', '/api/libraryfiles?$top=5', undefined, /'\$top' is not supported/],
			['mde', 'GET', '/api/machines?$top=10001', undefined, /limit of '10000'/],
		];
		for (const [api, method, path, body, message] of cases) {
			const reply = await apiCall(tenantId, api, method, path, body);
			expect({ path, status: reply.status }).toEqual({ path, status: 400 });
			expect(reply.json.error).toEqual(
				expect.objectContaining({
					code: expect.any(String),
					message: expect.stringMatching(message),
				}),
			);
		}
	});

	it('takes what Microsoft lists, member names in any case and Graph annotations', async () => {
		const tenantId = newTenant(EVERY_ROLE);
		const incident = emu.createIncident(tenantId, {});
		const ok: Array<[Api, string, string, unknown]> = [
			[
				'xdr',
				'PATCH',
				`/api/incidents/${incident.id}`,
				{ Status: 'InProgress', classification: 'TruePositive' },
			],
			[
				'graph',
				'PATCH',
				`/v1.0/security/incidents/${incident.id}`,
				{ '@odata.type': '#microsoft.graph.security.incident', determination: 'confirmedActivity' },
			],
			[
				'graph',
				'POST',
				'/v1.0/security/runHuntingQuery',
				{ Query: 'DeviceInfo | take 1', Timespan: '2024-02-01T08:00:00Z/P30D' },
			],
			[
				'mde',
				'POST',
				'/api/indicators',
				{
					indicatorValue: 'evil.example',
					indicatorType: 'DomainName',
					action: 'Audit',
					generateAlert: true,
					title: 't',
					description: 'd',
				},
			],
		];
		for (const [api, method, path, body] of ok) {
			const reply = await apiCall(tenantId, api, method, path, body);
			expect({ path, status: reply.status, error: reply.json?.error?.message }).toEqual({
				path,
				status: 200,
				error: undefined,
			});
		}
	});
});

describe('seedDemo', () => {
	it('grants the MDE and alert roles and seeds machines and alerts that point at each other', async () => {
		const own = await startEmulator();
		try {
			const demo = own.seedDemo();
			const token = await call('POST', `${own.url}/${demo.tenantId}/oauth2/v2.0/token`, {
				form: {
					grant_type: 'client_credentials',
					client_id: demo.clientId,
					client_secret: demo.clientSecret,
					scope: `${own.endpointApiUrl}/.default`,
				},
			});
			const get = (path: string) =>
				call('GET', `${own.endpointApiUrl}${path}`, {
					headers: { authorization: `Bearer ${token.json.access_token}` },
				});
			const machines = (await get('/api/machines')).json.value;
			expect(machines).toHaveLength(3);
			const alerts = (await get('/api/alerts')).json.value;
			expect(alerts).toHaveLength(28);
			const oldest = own.listIncidents(demo.tenantId).at(-1)?.alerts[0];
			expect(machines[0]).toMatchObject({
				computerDnsName: 'ws-0001.contoso.local',
				id: oldest?.device.id,
			});
			expect(
				alerts.filter((a: { machineId: string }) =>
					machines.some((m: { id: string }) => m.id === a.machineId),
				),
			).toHaveLength(4);
			expect(claimsOf(token.json.access_token).roles).toEqual(
				expect.arrayContaining(['Machine.Isolate', 'Alert.ReadWrite.All', 'Ti.ReadWrite.All']),
			);
			expect(own.listIncidents(demo.tenantId)).toHaveLength(25);
		} finally {
			await own.stop();
		}
	});
});

describe('control API and CLI', () => {
	it('exposes the control functions over HTTP', async () => {
		const control = (name: string, ...args: unknown[]) =>
			call('POST', `${emu.controlUrl}/${name}`, { json: args });
		const tenant = (await control('addTenant', { domains: ['remote.example'] })).json;
		expect(tenant.domains).toEqual(['remote.example']);
		expect(
			(await control('consent', { tenantId: tenant.id, clientId, roles: ALL_ROLES })).json,
		).toBeNull();
		const created = (await control('seedIncidents', tenant.id, 3, { title: 'remote' })).json;
		expect(created).toHaveLength(3);
		const list = await apiCall('remote.example', 'xdr', 'GET', '/api/incidents');
		expect(list.json.value.map((i: { incidentName: string }) => i.incidentName)).toEqual([
			'remote',
			'remote',
			'remote',
		]);
		expect((await control('count', { api: 'xdr', tenant: tenant.id })).json).toBe(1);
		expect(Array.isArray((await control('requests')).json)).toBe(true);
		const machine = (
			await control('addMachine', tenant.id, { computerDnsName: 'remote-ws.contoso.local' })
		).json;
		expect(
			(
				await control('setActionTimeline', {
					tenantId: tenant.id,
					pendingMs: 0,
					inProgressMs: 0,
					outcome: 'TimeOut',
				})
			).json,
		).toEqual({ pendingMs: 0, inProgressMs: 0, outcome: 'TimeOut' });
		expect((await control('listMachines', tenant.id)).json).toEqual([machine]);
		expect(
			(await control('createAlert', tenant.id, { machineId: machine.id, title: 'remote alert' }))
				.json,
		).toMatchObject({ title: 'remote alert', device: { id: machine.id } });
		expect((await control('addMachine', tenant.id, { riskScore: 'Extreme' })).json.error).toMatch(
			/riskScore/,
		);
		expect((await control('nope')).status).toBe(404);
		expect((await control('seedIncidents', 'unknown-tenant.example', 1)).json.error).toMatch(
			/Unknown tenant/,
		);
	});

	it('runs standalone with --seed demo and stops on SIGTERM', async () => {
		const child = spawn(
			process.execPath,
			[join(__dirname, 'emulator', 'cli.js'), '--seed', 'demo'],
			{ stdio: ['ignore', 'pipe', 'inherit'] },
		);
		const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
		try {
			const line = await new Promise<string>((resolve, reject) => {
				let out = '';
				child.stdout.on('data', (chunk: Buffer) => {
					out += chunk.toString();
					if (out.includes('\n')) resolve(out.split('\n')[0]);
				});
				child.on('exit', () => reject(new Error('cli exited early')));
			});
			const info = JSON.parse(line);
			expect(info).toMatchObject({
				url: expect.stringMatching(/^https:\/\/127\.0\.0\.1:\d+$/),
				tenantId: expect.any(String),
				clientId: expect.any(String),
				clientSecret: expect.any(String),
			});
			const token = await call('POST', `${info.authorityUrl}/${info.tenantId}/oauth2/v2.0/token`, {
				form: {
					grant_type: 'client_credentials',
					client_id: info.clientId,
					client_secret: info.clientSecret,
					scope: `${info.defenderApiUrl}/.default`,
				},
			});
			const incidents = await call('GET', `${info.defenderApiUrl}/api/incidents`, {
				headers: { authorization: `Bearer ${token.json.access_token}` },
			});
			expect(incidents.json.value.length).toBeGreaterThan(0);
		} finally {
			child.kill('SIGTERM');
		}
		expect(await exited).toBe(0);
	});
});

describe('scripted OpenAI-compatible model', () => {
	const script = [
		{ call: 'list new incidents', arguments: { status: 'active' } },
		{ call: 'hunting', arguments: { query: 'DeviceProcessEvents | take 1' } },
		{ answer: 'Incidents: {{output:0}} Hunting: {{output:1}}' },
	];
	const tools = ['List_New_Incidents', 'Run_Hunting_Query'];
	const auth = { authorization: 'Bearer sk-test' };

	it('calls the scripted tools in turn on the Responses API, then answers quoting their outputs', async () => {
		emu.setModelScript(script);
		const url = `${emu.openAiBaseUrl}/responses`;
		const offered = tools.map((name) => ({
			type: 'function',
			name,
			description: name,
			parameters: { type: 'object', properties: {} },
		}));
		const first = await call('POST', url, {
			headers: auth,
			json: { model: 'gpt-4.1-mini', input: [{ role: 'user', content: 'triage' }], tools: offered },
		});
		expect(first.status).toBe(200);
		expect(first.json).toMatchObject({
			object: 'response',
			status: 'completed',
			output: [
				{ type: 'function_call', name: 'List_New_Incidents', arguments: '{"status":"active"}' },
			],
		});
		const callId = first.json.output[0].call_id;
		const input = [
			{ role: 'user', content: 'triage' },
			first.json.output[0],
			{ type: 'function_call_output', call_id: callId, output: '[{"id":"7"}]' },
		];
		const second = await call('POST', url, {
			headers: auth,
			json: { model: 'gpt-4.1-mini', input, tools: offered },
		});
		expect(second.json.output[0]).toMatchObject({
			type: 'function_call',
			name: 'Run_Hunting_Query',
			arguments: JSON.stringify({ query: 'DeviceProcessEvents | take 1' }),
		});
		input.push(second.json.output[0], {
			type: 'function_call_output',
			call_id: second.json.output[0].call_id,
			output: '[{"rows":1}]',
		});
		const third = await call('POST', url, {
			headers: auth,
			json: { model: 'gpt-4.1-mini', input, tools: offered },
		});
		expect(third.json.output).toEqual([
			expect.objectContaining({
				type: 'message',
				role: 'assistant',
				content: [
					{
						type: 'output_text',
						text: 'Incidents: [{"id":"7"}] Hunting: [{"rows":1}]',
						annotations: [],
					},
				],
			}),
		]);
		expect(emu.modelExchanges().map((exchange) => exchange.toolOutputs.length)).toEqual([0, 1, 2]);
	});

	it('does the same on Chat Completions, and refuses what it cannot script', async () => {
		emu.setModelScript(script);
		const url = `${emu.openAiBaseUrl}/chat/completions`;
		const offered = tools.map((name) => ({
			type: 'function',
			function: { name, parameters: { type: 'object', properties: {} } },
		}));
		const messages: unknown[] = [{ role: 'user', content: 'triage' }];
		const first = await call('POST', url, {
			headers: auth,
			json: { model: 'gpt-4o-mini', messages, tools: offered },
		});
		expect(first.json.choices[0]).toMatchObject({
			finish_reason: 'tool_calls',
			message: {
				role: 'assistant',
				tool_calls: [{ type: 'function', function: { name: 'List_New_Incidents' } }],
			},
		});
		messages.push(first.json.choices[0].message, {
			role: 'tool',
			tool_call_id: first.json.choices[0].message.tool_calls[0].id,
			content: 'A',
		});
		const second = await call('POST', url, {
			headers: auth,
			json: { model: 'gpt-4o-mini', messages, tools: offered },
		});
		messages.push(second.json.choices[0].message, {
			role: 'tool',
			tool_call_id: second.json.choices[0].message.tool_calls[0].id,
			content: [{ type: 'text', text: 'B' }],
		});
		const third = await call('POST', url, {
			headers: auth,
			json: { model: 'gpt-4o-mini', messages, tools: offered },
		});
		expect(third.json.choices[0]).toMatchObject({
			finish_reason: 'stop',
			message: { role: 'assistant', content: 'Incidents: A Hunting: B' },
		});

		expect((await call('POST', url, { json: { messages } })).status).toBe(401);
		expect(
			(await call('POST', url, { headers: auth, json: { messages, stream: true } })).json.error
				.message,
		).toMatch(/does not stream/);
		const noTool = await call('POST', url, {
			headers: auth,
			json: { model: 'm', messages: [], tools: [] },
		});
		expect(noTool.status).toBe(400);
		expect(noTool.json.error.message).toMatch(/offers only: no tools/);
	});
});
