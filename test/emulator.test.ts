// The emulator itself, driven over HTTPS directly (no product code): token endpoints and their
// AADSTS errors, API authentication, incidents on both APIs, hunting, quotas, faults, control API.
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
const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8'));
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
			: { alg, typ: 'JWT', 'x5t#S256': crypto.createHash('sha256').update(der).digest('base64url') };
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
			: crypto.sign('sha256', Buffer.from(input), { key, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });
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
	const reply = await tokenRequest(tenant, { client_secret: SECRET, scope: `${baseOf(api)}/.default` });
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
		const config = await call('GET', `${emu.url}/contoso-tokens.example/v2.0/.well-known/openid-configuration`);
		expect(config.status).toBe(200);
		expect(config.json).toMatchObject({
			issuer: `${emu.url}/${tenantId}/v2.0`,
			token_endpoint: `${emu.url}/${tenantId}/oauth2/v2.0/token`,
			authorization_endpoint: `${emu.url}/${tenantId}/oauth2/v2.0/authorize`,
			jwks_uri: `${emu.url}/${tenantId}/discovery/v2.0/keys`,
		});
		const instance = await call('GET', `${emu.url}/common/discovery/instance?api-version=1.1&authorization_endpoint=${emu.url}/${tenantId}/oauth2/v2.0/authorize`);
		expect(instance.json.tenant_discovery_endpoint).toBe(`${emu.url}/${tenantId}/v2.0/.well-known/openid-configuration`);
		const keys = await call('GET', `${emu.url}/${tenantId}/discovery/v2.0/keys`);
		expect(keys.json.keys[0]).toMatchObject({ kty: 'RSA', use: 'sig' });
	});

	it('issues a v2 token for a client secret, by tenant GUID or domain', async () => {
		for (const tenant of [tenantId, 'contoso-tokens.example']) {
			const reply = await tokenRequest(tenant, { client_secret: SECRET, scope: `${emu.defenderApiUrl}/.default` });
			expect(reply.status).toBe(200);
			expect(reply.json).toMatchObject({ token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599 });
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
		const reply = await tokenRequest(tenantId, { client_secret: SECRET, resource: emu.graphApiUrl }, true);
		expect(reply.status).toBe(200);
		expect(reply.json).toMatchObject({ token_type: 'Bearer', expires_in: '3599', resource: emu.graphApiUrl });
		expect(claimsOf(reply.json.access_token).aud).toBe(emu.graphApiUrl);
	});

	it('omits roles when the app has no permission on that API', async () => {
		const reply = await tokenRequest(tenantId, { client_secret: SECRET, scope: `${emu.endpointApiUrl}/.default` });
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
			expect(claimsOf(reply.json.access_token)).toMatchObject({ aud: emu.graphApiUrl, appidacr: '2' });
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
			['00000000-0000-0000-0000-000000000001', { client_secret: SECRET, scope }, 400, 'invalid_request', 90002],
			['unknown.example', { client_secret: SECRET, scope }, 400, 'invalid_request', 90002],
			[stranger, { client_secret: SECRET, scope }, 400, 'unauthorized_client', 700016],
			[tenantId, { client_secret: 'wrong', scope }, 401, 'invalid_client', 7000215],
			[tenantId, { client_secret: 'expired-secret', scope }, 401, 'invalid_client', 7000222],
			[tenantId, { client_secret: SECRET, scope: 'https://unknown.example/.default' }, 400, 'invalid_resource', 500011],
			[tenantId, { client_secret: SECRET, scope: `${emu.defenderApiUrl}/Incident.Read.All` }, 400, 'invalid_scope', 1002012],
			[tenantId, { scope }, 401, 'invalid_client', 7000218],
			[tenantId, { client_assertion_type: jwtBearer, client_assertion: assertion({ clientId, aud, key: other.privateKey, der: Buffer.from('unknown cert') }), scope }, 401, 'invalid_client', 700027],
			[tenantId, { client_assertion_type: jwtBearer, client_assertion: assertion({ clientId, aud, key: other.privateKey }), scope }, 401, 'invalid_client', 700027],
			[tenantId, { client_assertion_type: jwtBearer, client_assertion: assertion({ clientId, aud: `${emu.url}/${stranger}/oauth2/v2.0/token` }), scope }, 401, 'invalid_client', 700027],
			[tenantId, { client_assertion_type: jwtBearer, client_assertion: assertion({ clientId, aud, exp: nowS() - 10, nbf: nowS() - 700 }), scope }, 401, 'invalid_client', 700024],
			[tenantId, { client_assertion_type: jwtBearer, client_assertion: assertion({ clientId, aud, nbf: nowS() + 900, exp: nowS() + 1500 }), scope }, 401, 'invalid_client', 700024],
		];
		for (const [tenant, form, status, error, code] of cases) {
			const reply = await tokenRequest(tenant, form);
			expect({ tenant, code, status: reply.status, error: reply.json.error }).toEqual({ tenant, code, status, error });
			expect(reply.json.error_codes).toEqual([code]);
			expect(reply.json.error_description).toMatch(new RegExp(`^AADSTS${code}: .+\\r\\nTrace ID: [0-9a-f-]{36}\\r\\nCorrelation ID: [0-9a-f-]{36}\\r\\nTimestamp: `));
			expect(reply.json).toHaveProperty('trace_id');
			expect(reply.json).toHaveProperty('correlation_id');
			expect(reply.json).toHaveProperty('timestamp');
		}
	});

	it('stops accepting the old secret after rotateSecret', async () => {
		const app = emu.addApp({ secrets: [{ value: 'first' }] });
		emu.consent({ tenantId, clientId: app.clientId, roles: ALL_ROLES });
		const form = (secret: string) => ({ grant_type: 'client_credentials', client_id: app.clientId, client_secret: secret, scope: `${emu.defenderApiUrl}/.default` });
		expect((await call('POST', `${emu.url}/${tenantId}/oauth2/v2.0/token`, { form: form('first') })).status).toBe(200);
		emu.rotateSecret(app.clientId, 'second');
		expect((await call('POST', `${emu.url}/${tenantId}/oauth2/v2.0/token`, { form: form('first') })).json.error_codes).toEqual([7000215]);
		expect((await call('POST', `${emu.url}/${tenantId}/oauth2/v2.0/token`, { form: form('second') })).status).toBe(200);
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
		const wrongAud = await call('GET', `${emu.defenderApiUrl}/api/incidents`, { headers: { authorization: `Bearer ${graphToken}` } });
		expect(wrongAud.status).toBe(401);
	});

	it('refuses revoked and expired tokens', async () => {
		const token = await tokenFor(tenantId, 'xdr');
		const get = () => call('GET', `${emu.defenderApiUrl}/api/incidents`, { headers: { authorization: `Bearer ${token}` } });
		expect((await get()).status).toBe(200);
		emu.revokeTokens();
		expect((await get()).status).toBe(401);
		expect((await apiCall(tenantId, 'xdr', 'GET', '/api/incidents')).status).toBe(200);

		emu.setTokenLifetime(1);
		try {
			const shortLived = await tokenFor(tenantId, 'xdr');
			await new Promise((r) => setTimeout(r, 2100));
			const expired = await call('GET', `${emu.defenderApiUrl}/api/incidents`, { headers: { authorization: `Bearer ${shortLived}` } });
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
		expect(list.json.value.map((i: { incidentName: string }) => i.incidentName)).toEqual(['theirs']);
		const id = list.json.value[0].incidentId;
		const patch = await apiCall(readOnly, 'xdr', 'PATCH', `/api/incidents/${id}`, { status: 'Resolved' });
		expect(patch.status).toBe(403);
		expect(patch.json.error.code).toBe('Forbidden');
		expect(patch.json.error.message).toContain('Incident.ReadWrite.All');
		const hunt = await apiCall(readOnly, 'xdr', 'POST', '/api/advancedhunting/run', { Query: 'DeviceInfo' });
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
		emu.createIncident(tenantId, { title: 'old', createdTime: '2026-01-01T00:00:00Z', assignedTo: "o'brien@contoso.com" });
		emu.createIncident(tenantId, { title: 'mid', createdTime: '2026-01-15T00:00:00Z', lastUpdateTime: '2026-02-01T00:00:00.1234567Z', status: 'Resolved' });
		emu.createIncident(tenantId, { title: 'new', createdTime: '2026-02-15T00:00:00Z', lastUpdateTime: '2026-03-01T00:00:00Z', status: 'InProgress' });
		const names = async (filter: string) => {
			const reply = await apiCall(tenantId, 'xdr', 'GET', `/api/incidents?$filter=${encodeURIComponent(filter)}`);
			expect(reply.status).toBe(200);
			return reply.json.value.map((i: { incidentName: string }) => i.incidentName);
		};
		expect(await names('lastUpdateTime ge 2026-02-01T00:00:00Z')).toEqual(['new', 'mid']);
		expect(await names("lastUpdateTime gt '2026-02-01T00:00:00.1234567Z'")).toEqual(['new']);
		expect(await names('createdTime lt 2026-01-15T00:00:00Z')).toEqual(['old']);
		expect(await names("status eq 'Resolved' and lastUpdateTime lt 2026-03-01T00:00:00Z")).toEqual(['mid']);
		expect(await names("assignedTo eq 'o''brien@contoso.com'")).toEqual(['old']);
		const unsupported = await apiCall(tenantId, 'xdr', 'GET', `/api/incidents?$filter=${encodeURIComponent("severity eq 'High'")}`);
		expect(unsupported.status).toBe(400);
		expect(unsupported.json.error).toMatchObject({ code: 'BadRequest' });
		expect(unsupported.json.error.message).toContain("Could not find a property named 'severity'");
	});

	it('gets, patches and validates incidents', async () => {
		const tenantId = newTenant();
		const [first, second] = emu.seedIncidents(tenantId, 2);
		const got = await apiCall(tenantId, 'xdr', 'GET', `/api/incidents/${first.id}`);
		expect(got.json).toMatchObject({ incidentId: first.id, incidentName: first.title, status: first.status, classification: 'Unknown', determination: 'NotAvailable' });
		expect(got.json.alerts[0].devices[0]).toHaveProperty('deviceDnsName');
		expect(got.json.alerts[0].devices[0]).toHaveProperty('mdatpDeviceId');
		const missing = await apiCall(tenantId, 'xdr', 'GET', '/api/incidents/999');
		expect(missing.status).toBe(404);
		expect(missing.json.error).toMatchObject({ code: 'NotFound', message: 'Incident 999 not found' });

		const patched = await apiCall(tenantId, 'xdr', 'PATCH', `/api/incidents/${first.id}`, {
			status: 'Resolved', classification: 'TruePositive', determination: 'Malware', assignedTo: 'me@contoso.com', tags: ['a', 'b'], comment: 'done',
		});
		expect(patched.status).toBe(200);
		expect(patched.json).toMatchObject({ status: 'Resolved', classification: 'TruePositive', determination: 'Malware', assignedTo: 'me@contoso.com', tags: ['a', 'b'] });
		expect(patched.json.comments).toEqual([expect.objectContaining({ comment: 'done', createdBy: `API-App:${clientId}` })]);
		expect(patched.json.lastUpdateTime > second.lastUpdateTime).toBe(true);
		const list = await apiCall(tenantId, 'xdr', 'GET', '/api/incidents');
		expect(list.json.value[0].incidentId).toBe(first.id);

		const invalid = await apiCall(tenantId, 'xdr', 'PATCH', `/api/incidents/${first.id}`, { status: 'Closed' });
		expect(invalid.status).toBe(400);
		expect(invalid.json.error.message).toContain("'status'");
		expect((await apiCall(tenantId, 'xdr', 'PATCH', `/api/incidents/${first.id}`, { tags: 'x' })).status).toBe(400);
	});

	it('moves an incident to the top when the portal changes it (updateIncident)', async () => {
		const tenantId = newTenant();
		const [oldest] = emu.seedIncidents(tenantId, 3);
		const updated = emu.updateIncident(tenantId, oldest.id, { severity: 'High', comment: 'escalated' });
		expect(updated.lastUpdateTime > oldest.lastUpdateTime).toBe(true);
		expect(emu.listIncidents(tenantId)[0].id).toBe(oldest.id);
		const late = emu.createIncident(tenantId, { title: 'late', lastUpdateTime: '2020-01-01T00:00:00Z' });
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
			if (next) expect(next).toMatch(new RegExp(`^${emu.graphApiUrl}/v1\\.0/security/incidents\\?.*\\$skip=\\d+`));
		}
		expect(pages).toEqual([50, 50, 20]);
		expect(first).toMatchObject({ id: expect.any(String), tenantId, displayName: expect.any(String), classification: 'unknown', determination: 'unknown' });
		expect(first).not.toHaveProperty('alerts');
		expect(['active', 'inProgress', 'resolved']).toContain(first?.status);
		expect((await apiCall(tenantId, 'graph', 'GET', '/v1.0/security/incidents?$top=51')).status).toBe(400);
	});

	it('filters, expands alerts, patches and comments', async () => {
		const filter = encodeURIComponent("severity eq 'high' and status eq 'active'");
		const filtered = await apiCall(tenantId, 'graph', 'GET', `/v1.0/security/incidents?$filter=${filter}&$expand=alerts&$top=5`);
		expect(filtered.status).toBe(200);
		for (const inc of filtered.json.value) {
			expect(inc).toMatchObject({ severity: 'high', status: 'active' });
			expect(inc.alerts[0].evidence[0]).toHaveProperty('deviceDnsName');
		}
		const id = filtered.json.value[0].id;
		const patched = await apiCall(tenantId, 'graph', 'PATCH', `/v1.0/security/incidents/${id}`, {
			status: 'resolved', classification: 'falsePositive', determination: 'notMalicious', customTags: ['graph'],
		});
		expect(patched.json).toMatchObject({ id, status: 'resolved', classification: 'falsePositive', determination: 'notMalicious', customTags: ['graph'] });
		expect((await apiCall(tenantId, 'graph', 'PATCH', `/v1.0/security/incidents/${id}`, { status: 'Closed' })).status).toBe(400);
		const comments = await apiCall(tenantId, 'graph', 'POST', `/v1.0/security/incidents/${id}/comments`, {
			'@odata.type': 'microsoft.graph.security.alertComment', comment: 'from graph',
		});
		expect(comments.json.value.at(-1)).toMatchObject({ comment: 'from graph', createdByDisplayName: `API-App:${clientId}` });
		// Both APIs render the same canonical incident.
		const xdr = await apiCall(tenantId, 'xdr', 'GET', `/api/incidents/${id}`);
		expect(xdr.json).toMatchObject({ status: 'Resolved', classification: 'FalsePositive', determination: 'NotMalicious', tags: ['graph'] });
		const bad = await apiCall(tenantId, 'graph', 'GET', `/v1.0/security/incidents?$filter=${encodeURIComponent("title eq 'x'")}`);
		expect(bad.status).toBe(400);
		expect(bad.json.error.message).toContain("'title'");
	});
});

describe('advanced hunting', () => {
	let tenantId: string;
	beforeAll(() => {
		tenantId = newTenant();
		emu.setHuntingTable(tenantId, 'Logons', {
			schema: [{ name: 'Account', type: 'String' }, { name: 'Count', type: 'Int32' }, { name: 'Extra', type: 'Dynamic' }],
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
			: apiCall(tenantId, 'graph', 'POST', '/v1.0/security/runHuntingQuery', { Query: query, Timespan: 'P7D' });

	it('runs the KQL subset on the XDR API', async () => {
		const reply = await hunt('xdr', 'Logons\n| where Count == 5\n| project Account, Count');
		expect(reply.status).toBe(200);
		expect(reply.json.Schema).toEqual([{ Name: 'Account', Type: 'String' }, { Name: 'Count', Type: 'Int32' }]);
		expect(reply.json.Results).toEqual([{ Account: 'alice', Count: 5 }, { Account: 'Alice', Count: 5 }]);
		expect(reply.json.Stats).toMatchObject({ resource_usage: expect.any(Object), dataset_statistics: [{ table_row_count: 2, table_size: expect.any(Number) }] });
		expect((await hunt('xdr', 'Logons | where Account != "bob" | take 1')).json.Results).toEqual([{ Account: 'alice', Count: 5, Extra: '{"a":1}' }]);
		expect((await hunt('xdr', 'Logons | where Account =~ "ALICE" | count')).json).toMatchObject({ Schema: [{ Name: 'Count', Type: 'Int64' }], Results: [{ Count: 2 }] });
		expect((await hunt('xdr', 'DeviceProcessEvents | limit 2')).json.Results).toHaveLength(2);
	});

	it('answers the Graph shape', async () => {
		const reply = await hunt('graph', 'Logons | project Account | take 2');
		expect(reply.json).toMatchObject({ schema: [{ name: 'Account', type: 'String' }], results: [{ Account: 'alice' }, { Account: 'bob' }] });
		expect(reply.json['@odata.context']).toContain('huntingQueryResults');
	});

	it('reports syntax errors, unknown names and empty queries as 400 with the line', async () => {
		const syntax = await hunt('xdr', 'Logons\n| where Count = 5');
		expect(syntax.status).toBe(400);
		expect(syntax.json.error).toMatchObject({ code: 'BadRequest', message: "Query could not be parsed at '=' on line [2,15]" });
		expect((await hunt('graph', 'Logons | sort by Count')).json.error.message).toMatch(/parsed at 'sort' on line \[1,10\]/);
		expect((await hunt('xdr', 'Nope | take 1')).json.error.message).toMatch(/'Nope' on line \[1,1\]/);
		expect((await hunt('xdr', 'Logons | project Account, Nope')).json.error.message).toMatch(/'Nope' on line \[1,27\]/);
		expect((await hunt('xdr', '   ')).status).toBe(400);
	});

	it('streams a generated 100,000 x 10 result', async () => {
		const schema = Array.from({ length: 10 }, (_, i) => ({ name: `C${i}`, type: i === 0 ? 'Int64' : 'String' }));
		emu.setHuntingTable(tenantId, 'Big', {
			schema,
			rowCount: 150_000,
			row: (i: number) => Object.fromEntries(schema.map((c, j) => [c.name, j === 0 ? i : `value-${j}-${i}`])),
		});
		const all = await hunt('xdr', 'Big');
		expect(all.json.Results).toHaveLength(100_000);
		expect(all.json.Results[99_999]).toMatchObject({ C0: 99_999, C9: 'value-9-99999' });
		expect((await hunt('graph', 'Big | count')).json.results).toEqual([{ Count: 150_000 }]);
		emu.setHuntingTable(tenantId, 'Synthetic', { schema: [{ name: 'When', type: 'DateTime' }, { name: 'Id', type: 'Guid' }], rowCount: 3 });
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
		expect(limited.json.error).toEqual({ code: 'TooManyRequests', message: 'API calls quota exceeded! maximum allowed 2 per 00:01:00', target: expect.any(String) });
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
		emu.injectFault({ match: { api: 'xdr', path: '/api/incidents' }, times: 2, fault: { status: 503 } });
		const first = await list();
		expect(first.status).toBe(503);
		expect(first.json.error.code).toBe('ServiceUnavailable');
		expect((await list()).status).toBe(503);
		expect((await list()).status).toBe(200);
		emu.injectFault({ match: { method: 'GET', path: '/\\/incidents$/' }, times: 1, fault: { status: 500, body: { custom: true }, headers: { 'x-test': '1' } } });
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
		expect((await tokenRequest(tenantId, { client_secret: SECRET, scope: `${emu.defenderApiUrl}/.default` })).status).toBe(500);
		emu.injectFault({ match: { api: 'xdr' }, fault: { delayMs: 300 } });
		const token = await tokenFor(tenantId, 'xdr');
		let started = Date.now();
		const delayed = await call('GET', `${emu.defenderApiUrl}/api/incidents`, { headers: { authorization: `Bearer ${token}` } });
		expect(delayed.status).toBe(200);
		expect(Date.now() - started).toBeGreaterThanOrEqual(290);
		emu.setLatency([150, 150]);
		started = Date.now();
		await call('GET', `${emu.defenderApiUrl}/api/incidents`, { headers: { authorization: `Bearer ${token}` } });
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

describe('control API and CLI', () => {
	it('exposes the control functions over HTTP', async () => {
		const control = (name: string, ...args: unknown[]) => call('POST', `${emu.controlUrl}/${name}`, { json: args });
		const tenant = (await control('addTenant', { domains: ['remote.example'] })).json;
		expect(tenant.domains).toEqual(['remote.example']);
		expect((await control('consent', { tenantId: tenant.id, clientId, roles: ALL_ROLES })).json).toBeNull();
		const created = (await control('seedIncidents', tenant.id, 3, { title: 'remote' })).json;
		expect(created).toHaveLength(3);
		const list = await apiCall('remote.example', 'xdr', 'GET', '/api/incidents');
		expect(list.json.value.map((i: { incidentName: string }) => i.incidentName)).toEqual(['remote', 'remote', 'remote']);
		expect((await control('count', { api: 'xdr', tenant: tenant.id })).json).toBe(1);
		expect(Array.isArray((await control('requests')).json)).toBe(true);
		expect((await control('nope')).status).toBe(404);
		expect((await control('seedIncidents', 'unknown-tenant.example', 1)).json.error).toMatch(/Unknown tenant/);
	});

	it('runs standalone with --seed demo and stops on SIGTERM', async () => {
		const child = spawn(process.execPath, [join(__dirname, 'emulator', 'cli.js'), '--seed', 'demo'], { stdio: ['ignore', 'pipe', 'inherit'] });
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
			expect(info).toMatchObject({ url: expect.stringMatching(/^https:\/\/127\.0\.0\.1:\d+$/), tenantId: expect.any(String), clientId: expect.any(String), clientSecret: expect.any(String) });
			const token = await call('POST', `${info.authorityUrl}/${info.tenantId}/oauth2/v2.0/token`, {
				form: { grant_type: 'client_credentials', client_id: info.clientId, client_secret: info.clientSecret, scope: `${info.defenderApiUrl}/.default` },
			});
			const incidents = await call('GET', `${info.defenderApiUrl}/api/incidents`, { headers: { authorization: `Bearer ${token.json.access_token}` } });
			expect(incidents.json.value.length).toBeGreaterThan(0);
		} finally {
			child.kill('SIGTERM');
		}
		expect(await exited).toBe(0);
	});
});
