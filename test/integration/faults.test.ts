/**
 * Fault suite: the emulator injects the faults (429 storms, 5xx bursts, resets, hangs, truncated JSON,
 * proxy pages, expiring and revoked tokens, a rotated secret, an unavailable token endpoint) and bad
 * input, through n8n-core, real MSAL and real HTTPS.
 *
 * The rule every scenario checks: a run either completes with every incident exactly once, or fails
 * with an error that names the cause; it never hands on part of a list as if it were the whole. The
 * last test scans every error and output item of this file for the client secret and bearer tokens.
 *
 * Injected 5xx and 429 answers carry `Retry-After: 0` (or 1) so that retries cost no real time;
 * faults without that header (resets, truncated JSON, HTML) wait the product's backoff (0.4 s·2^n).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import { inspect } from 'node:util';

import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	IHttpRequestOptions,
	INodeExecutionData,
	INodeParameters,
} from 'n8n-workflow';

import {
	createLab,
	credentialType,
	emulator,
	pollTrigger,
	runDefender,
	stopEmulator,
	type EmulatorRequest,
	type Lab,
} from '../support/lab';

type Api = 'graph' | 'defenderXdr';
type EmulatorApi = 'graph' | 'xdr';
const APIS = [
	['graph', 'graph', 50],
	['defenderXdr', 'xdr', 100],
] as const;
const emulatorApi = (api: Api): EmulatorApi => (api === 'graph' ? 'graph' : 'xdr');
const PAGE_SIZE: Record<Api, number> = { graph: 50, defenderXdr: 100 };

const MINUTE = 60_000;
const NO_WAIT = { 'retry-after': '0' };
const sleep = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms));
const byId = (id: unknown) => ({ __rl: true, mode: 'id', value: String(id) });
const returnAll = (api: Api, extra: IDataObject = {}): INodeParameters => ({
	api,
	resource: 'incident',
	operation: 'getAll',
	returnAll: true,
	filters: {},
	simplify: true,
	...extra,
});
const ids = (items: INodeExecutionData[]) => items.map((item) => String(item.json.id)).sort();
const seededIds = (incidents: IDataObject[]) =>
	incidents.map((incident) => String(incident.id)).sort();
/** The list request that asks for the records from `skip` on (page 2 = one page size), as a fault path. */
const pageAt = (skip: number) => `/incidents\\?.*[$]skip=${skip}(&|$)/`;
const listCalls = (lab: Lab, api: Api, filter: Partial<EmulatorRequest> = {}) =>
	lab
		.calls({ api: emulatorApi(api), method: 'GET', ...filter })
		.filter((request) => /\/incidents$/.test(request.path));
const pageCalls = (lab: Lab, api: Api, skip: number) =>
	listCalls(lab, api)
		.filter((request) => request.query.$skip === String(skip))
		.map((request) => request.status);

// ---- Everything this file made visible, for the final scan ------------------------------------------
const visible: string[] = [];
const clientSecrets = new Set<string>();
const bearerTokens = new Set<string>();
const show = (value: unknown) =>
	inspect(value, { depth: 10, maxStringLength: Infinity, breakLength: Infinity });

type RunError = Error & { description?: string };
function recordError(error: unknown) {
	const { message, description, stack } = error as RunError;
	let json: string;
	try {
		json = JSON.stringify(error);
	} catch (failure) {
		json = `JSON.stringify failed: ${String(failure)}`;
	}
	visible.push(String(message), String(description), json, String(stack), show(error));
}

/**
 * The emulator logs a status once it has flushed the response, which for a large page can be a moment
 * after the client has read it; wait for that so that status assertions are not racy.
 */
async function settled(lab: Lab) {
	const deadline = Date.now() + 2000;
	const open = () =>
		lab
			.calls()
			.some(
				(request) =>
					request.status === 0 &&
					!['reset', 'hang'].includes(String((request as { fault?: string }).fault)),
			);
	while (open() && Date.now() < deadline) await sleep(5);
}

/** Runs the node; returns its output or its error (never both), and records both for the final scan. */
async function attempt(
	lab: Lab,
	parameters: INodeParameters,
	options: Parameters<typeof runDefender>[2] = {},
) {
	const started = Date.now();
	try {
		const output = await runDefender(lab, parameters, options);
		visible.push(...output.map((item) => JSON.stringify(item)));
		return { output, error: undefined, ms: Date.now() - started };
	} catch (error) {
		recordError(error);
		return { output: undefined, error: error as RunError, ms: Date.now() - started };
	} finally {
		await settled(lab);
	}
}

/** A loopback port nothing listens on: taken from the system, then released. */
async function closedPort(): Promise<number> {
	const server = createServer();
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	await new Promise((resolve) => server.close(resolve));
	return port;
}

async function faultLab(options?: Parameters<typeof createLab>[0]) {
	const lab = await createLab(options);
	clientSecrets.add(lab.secret);
	return lab;
}

beforeAll(() => {
	// Capture every bearer token the client attaches (see secrets.test.ts).
	const authenticate = credentialType.authenticate;
	credentialType.authenticate = async (
		credentials: ICredentialDataDecryptedObject,
		options: IHttpRequestOptions,
	) => {
		const result = await authenticate(credentials, options);
		const header = String(result.headers?.Authorization ?? '');
		if (header.startsWith('Bearer ')) bearerTokens.add(header.slice('Bearer '.length));
		return result;
	};
});

afterEach(async () => {
	const emu = await emulator();
	emu.clearFaults();
	emu.clearQuotas();
	emu.setTokenLifetime(3599);
});

afterAll(stopEmulator);

// ---- 429 ---------------------------------------------------------------------------------------------
describe('429 Too Many Requests', () => {
	it('a storm on page 2 with Retry-After: 1 is waited out; every incident once', async () => {
		const lab = await faultLab();
		const seeded = lab.emulator.seedIncidents(lab.tenantId, 120);
		lab.emulator.injectFault({
			match: { api: 'graph', path: pageAt(50) },
			times: 2,
			fault: { status: 429, headers: { 'retry-after': '1' } },
		});
		const run = await attempt(lab, returnAll('graph'));
		expect(run.error).toBeUndefined();
		expect(ids(run.output ?? [])).toEqual(seededIds(seeded));
		expect(pageCalls(lab, 'graph', 50)).toEqual([429, 429, 200]);
		expect(run.ms).toBeGreaterThanOrEqual(2000);
	});

	it('a storm without Retry-After backs off on its own (≥ 0.5 s, then ≥ 1 s) and completes', async () => {
		const lab = await faultLab();
		const seeded = lab.emulator.seedIncidents(lab.tenantId, 150);
		// An empty header: the emulator adds `Retry-After: 1` to a 429 unless one is given.
		lab.emulator.injectFault({
			match: { api: 'xdr', path: pageAt(100) },
			times: 2,
			fault: { status: 429, headers: { 'retry-after': '' } },
		});
		const run = await attempt(lab, returnAll('defenderXdr'));
		expect(ids(run.output ?? [])).toEqual(seededIds(seeded));
		expect(pageCalls(lab, 'defenderXdr', 100)).toEqual([429, 429, 200]);
		expect(run.ms).toBeGreaterThanOrEqual(1500);
	});

	it('a storm longer than the retry budget fails: "kept answering 429", no items (also with Continue On Fail)', async () => {
		const lab = await faultLab();
		lab.emulator.seedIncidents(lab.tenantId, 120);
		lab.emulator.injectFault({
			match: { api: 'graph', path: pageAt(50) },
			times: 7,
			fault: { status: 429, headers: NO_WAIT },
		});
		const run = await attempt(lab, returnAll('graph'));
		expect(run.output).toBeUndefined();
		expect(run.error?.message).toMatch(
			/Microsoft Graph security API kept answering 429 Too Many Requests \(7 times in a row\)/,
		);
		expect(run.error?.description).toMatch(/lower the number of parallel executions or workers/);
		expect(pageCalls(lab, 'graph', 50)).toEqual(Array(7).fill(429));

		lab.emulator.injectFault({
			match: { api: 'graph', path: pageAt(50) },
			times: 7,
			fault: { status: 429, headers: NO_WAIT },
		});
		const continued = await attempt(lab, returnAll('graph'), { continueOnFail: true });
		expect(continued.output).toHaveLength(1);
		expect(continued.output?.[0].json).toEqual(
			expect.objectContaining({ error: expect.stringMatching(/kept answering 429/) }),
		);
	});

	it.each([
		['121 (seconds)', () => '121', /asks to wait 121 s, longer than the 120 s this node waits/],
		[
			'an HTTP date 10 minutes ahead',
			() => new Date(Date.now() + 10 * MINUTE).toUTCString(),
			/asks to wait (59\d|600) s, longer than the 120 s/,
		],
	])('Retry-After %s fails at once, naming the wait', async (_label, retryAfter, expected) => {
		const lab = await faultLab();
		lab.emulator.seedIncidents(lab.tenantId, 3);
		lab.emulator.injectFault({
			match: { api: 'xdr', path: '/incidents' },
			times: 1,
			fault: { status: 429, headers: { 'retry-after': retryAfter() } },
		});
		const run = await attempt(lab, returnAll('defenderXdr'));
		expect(run.error?.message).toMatch(expected);
		expect(run.error?.message).toMatch(/Defender XDR API quota exhausted/);
		expect(listCalls(lab, 'defenderXdr')).toHaveLength(1);
		expect(run.ms).toBeLessThan(2000);
	});
});

// ---- 5xx bursts while paging -------------------------------------------------------------------------
describe.each(APIS)('5xx bursts during Return All on %s', (api, emuApi, pageSize) => {
	it('pages 2 and 3 fail a few times (500, 502, 503, 504), then succeed: every incident exactly once', async () => {
		const lab = await faultLab();
		const seeded = lab.emulator.seedIncidents(lab.tenantId, pageSize * 3 + 7);
		const page2 = pageAt(pageSize);
		const page3 = pageAt(pageSize * 2);
		for (const [path, status] of [
			[page2, 500],
			[page2, 502],
			[page2, 503],
			[page3, 504],
			[page3, 500],
		] as const) {
			lab.emulator.injectFault({
				match: { api: emuApi, path },
				times: 1,
				fault: { status, headers: NO_WAIT },
			});
		}
		const run = await attempt(lab, returnAll(api));
		expect(run.error).toBeUndefined();
		expect(run.output).toHaveLength(seeded.length);
		expect(ids(run.output ?? [])).toEqual(seededIds(seeded));
		expect(pageCalls(lab, api, pageSize)).toEqual([500, 502, 503, 200]);
		expect(pageCalls(lab, api, pageSize * 2)).toEqual([504, 500, 200]);
	});

	it('a burst longer than the retry budget fails naming status and attempts; no items, also with Continue On Fail', async () => {
		const lab = await faultLab();
		lab.emulator.seedIncidents(lab.tenantId, pageSize * 3 + 7);
		lab.emulator.injectFault({
			match: { api: emuApi, path: pageAt(pageSize * 2) },
			times: 5,
			fault: { status: 503, headers: NO_WAIT },
		});
		const run = await attempt(lab, returnAll(api));
		expect(run.output).toBeUndefined();
		expect(run.error?.message).toMatch(
			/answered 503 \(a server error\) after 5 attempts: Injected fault \(HTTP 503\)/,
		);
		expect(pageCalls(lab, api, pageSize * 2)).toEqual([503, 503, 503, 503, 503]);
		// Pages 1 and 2 arrived, yet nothing of them is output: a partial list is not a result.
		expect(pageCalls(lab, api, pageSize)).toEqual([200]);

		lab.emulator.injectFault({
			match: { api: emuApi, path: pageAt(pageSize * 2) },
			times: 5,
			fault: { status: 502, headers: NO_WAIT },
		});
		const continued = await attempt(lab, returnAll(api), { continueOnFail: true });
		expect(continued.output).toEqual([
			expect.objectContaining({
				json: expect.objectContaining({
					error: expect.stringMatching(/answered 502 \(a server error\) after 5 attempts/),
				}),
			}),
		]);
	});
});

// ---- Connection resets -------------------------------------------------------------------------------
describe('connection resets', () => {
	it.each(APIS)(
		'a reset on a GET page of %s is retried; every incident once',
		async (api, emuApi, pageSize) => {
			const lab = await faultLab();
			const seeded = lab.emulator.seedIncidents(lab.tenantId, pageSize * 2 + 3);
			lab.emulator.injectFault({
				match: { api: emuApi, path: pageAt(pageSize) },
				times: 2,
				fault: { reset: true },
			});
			const run = await attempt(lab, returnAll(api));
			expect(ids(run.output ?? [])).toEqual(seededIds(seeded));
			expect(pageCalls(lab, api, pageSize)).toEqual([0, 0, 200]);
		},
	);

	it.each([
		['graph', 'POST'],
		['defenderXdr', 'PATCH'],
	] as const)(
		'a reset of the comment on %s (a %s) is not repeated and says so',
		async (api, method) => {
			const lab = await faultLab();
			const incident = lab.emulator.createIncident(lab.tenantId, {});
			lab.emulator.injectFault({
				match: { api: emulatorApi(api), method },
				times: 1,
				fault: { reset: true },
			});
			const run = await attempt(lab, {
				api,
				resource: 'incident',
				operation: 'addComment',
				incidentId: byId(incident.id),
				comment: 'Contained by n8n',
			});
			expect(run.error?.message).toMatch(
				new RegExp(
					`^Could not reach the .* API: connection reset\\. The ${method} was not repeated because it may already have been applied: check the result in the Defender portal`,
				),
			);
			expect(run.error?.description).toMatch(
				new RegExp(`^Cause: ECONNRESET\\. Endpoint: ${method} https://`),
			);
			expect(lab.calls({ api: emulatorApi(api), method })).toHaveLength(1);
		},
	);

	it('Update on Graph: fields saved, then the comment POST is reset → says which part failed, not repeated', async () => {
		const lab = await faultLab();
		const incident = lab.emulator.createIncident(lab.tenantId, { status: 'Active' });
		lab.emulator.injectFault({
			match: { api: 'graph', method: 'POST' },
			times: 1,
			fault: { reset: true },
		});
		const run = await attempt(lab, {
			api: 'graph',
			resource: 'incident',
			operation: 'update',
			incidentId: byId(incident.id),
			updateFields: { status: 'InProgress', comment: 'Triaged' },
		});
		expect(run.error?.message).toMatch(
			new RegExp(
				`Incident ${incident.id} was updated \\(status\\), but adding the comment failed: .*not repeated`,
			),
		);
		expect(run.error?.description).toMatch(/Add the comment again/);
		expect(lab.emulator.getIncident(lab.tenantId, incident.id as number)).toMatchObject({
			status: 'InProgress',
			comments: [],
		});
		expect(lab.calls({ api: 'graph', method: 'POST' })).toHaveLength(1);
	});
});

// ---- A response that never comes ---------------------------------------------------------------------
describe('a response that never comes (hang), with the Timeout option at 1 s', () => {
	it('a GET page that hangs once is abandoned after the timeout and retried; every incident once', async () => {
		const lab = await faultLab();
		const seeded = lab.emulator.seedIncidents(lab.tenantId, 60);
		lab.emulator.injectFault({
			match: { api: 'graph', path: pageAt(50) },
			times: 1,
			fault: { hang: true },
		});
		const run = await attempt(lab, returnAll('graph', { options: { timeout: 1 } }));
		expect(ids(run.output ?? [])).toEqual(seededIds(seeded));
		expect(pageCalls(lab, 'graph', 50)).toEqual([0, 200]);
		expect(run.ms).toBeGreaterThanOrEqual(1000);
	});

	it('a comment that gets no answer: the timeout fires, the POST is not repeated, the error says so', async () => {
		const lab = await faultLab();
		const incident = lab.emulator.createIncident(lab.tenantId, {});
		lab.emulator.injectFault({
			match: { api: 'graph', method: 'POST' },
			times: 5,
			fault: { hang: true },
		});
		const run = await attempt(lab, {
			api: 'graph',
			resource: 'incident',
			operation: 'addComment',
			incidentId: byId(incident.id),
			comment: 'x',
			options: { timeout: 1 },
		});
		expect(run.error?.message).toMatch(
			/Microsoft Graph security API: no answer within 1 s\. The POST was not repeated/,
		);
		expect(lab.calls({ api: 'graph', method: 'POST' })).toHaveLength(1);
		expect(run.ms).toBeLessThan(5000);
	});
});

// ---- Malformed JSON and proxy pages ------------------------------------------------------------------
describe('truncated JSON and HTML proxy pages', () => {
	it('a truncated JSON page (200) is retried; every incident once', async () => {
		const lab = await faultLab();
		const seeded = lab.emulator.seedIncidents(lab.tenantId, 205);
		lab.emulator.injectFault({
			match: { api: 'xdr', path: pageAt(100) },
			times: 1,
			fault: { malformedJson: true },
		});
		lab.emulator.injectFault({
			match: { api: 'xdr', path: pageAt(200) },
			times: 1,
			fault: { malformedJson: true },
		});
		const run = await attempt(lab, returnAll('defenderXdr'));
		expect(ids(run.output ?? [])).toEqual(seededIds(seeded));
		expect(pageCalls(lab, 'defenderXdr', 100)).toEqual([200, 200]);
	});

	it('truncated JSON that persists fails: "not valid JSON", with its start; no items', async () => {
		const lab = await faultLab();
		lab.emulator.seedIncidents(lab.tenantId, 60);
		lab.emulator.injectFault({
			match: { api: 'graph', path: pageAt(50) },
			times: 5,
			fault: { malformedJson: true },
		});
		const run = await attempt(lab, returnAll('graph'));
		expect(run.output).toBeUndefined();
		expect(run.error?.message).toMatch(
			/Microsoft Graph security API answered 200 with a body that is not valid JSON \(\d+ bytes, starting "\{"@odata.context"/,
		);
		expect(pageCalls(lab, 'graph', 50)).toHaveLength(5);
	});

	it('an HTML 502 page from a proxy is retried; every incident once', async () => {
		const lab = await faultLab();
		const seeded = lab.emulator.seedIncidents(lab.tenantId, 60);
		lab.emulator.injectFault({
			match: { api: 'graph', path: pageAt(50) },
			times: 1,
			fault: { html: true },
		});
		const run = await attempt(lab, returnAll('graph'));
		expect(ids(run.output ?? [])).toEqual(seededIds(seeded));
		expect(pageCalls(lab, 'graph', 50)).toEqual([502, 200]);
	});

	it('an HTML page that persists fails saying a proxy or gateway answered, with the page title', async () => {
		const lab = await faultLab();
		lab.emulator.seedIncidents(lab.tenantId, 3);
		lab.emulator.injectFault({
			match: { api: 'xdr', path: '/incidents' },
			times: 5,
			fault: { html: true },
		});
		const run = await attempt(lab, returnAll('defenderXdr'));
		expect(run.output).toBeUndefined();
		expect(run.error?.message).toMatch(
			/Defender XDR API answered 502 \(a server error\) after 5 attempts: an HTML page \("502 Bad Gateway"\) — a proxy or gateway answered, not the API/,
		);
		expect(run.error?.message).not.toMatch(/<html|<body/i);
	});
});

// ---- Tokens ------------------------------------------------------------------------------------------
/** Starts a Return All run whose page 2 waits `delayMs` at the emulator; calls `during` once page 2 has arrived there. */
async function midRun(
	lab: Lab,
	api: Api,
	during: () => void,
	options: Parameters<typeof runDefender>[2] = {},
) {
	const pageSize = PAGE_SIZE[api];
	lab.emulator.injectFault({
		match: { api: emulatorApi(api), path: pageAt(pageSize) },
		times: 1,
		fault: { delayMs: 400 },
	});
	const running = attempt(lab, returnAll(api), options);
	const deadline = Date.now() + 10_000;
	while (pageCalls(lab, api, pageSize).length === 0 && Date.now() < deadline) await sleep(5);
	during();
	return await running;
}

describe('tokens expiring, revoked and refused in the middle of a run', () => {
	it('tokens revoked while page 2 is in flight: one new token, page 2 retried, every incident once', async () => {
		const lab = await faultLab();
		const seeded = lab.emulator.seedIncidents(lab.tenantId, 160);
		const run = await midRun(lab, 'graph', () => lab.emulator.revokeTokens());
		expect(run.error).toBeUndefined();
		expect(ids(run.output ?? [])).toEqual(seededIds(seeded));
		expect(pageCalls(lab, 'graph', 50)).toEqual([401, 200]);
		expect(lab.tokenRequests()).toBe(2);
	});

	it('a 2-second token lifetime while paging slowly: renewed along the way, every incident once', async () => {
		const lab = await faultLab();
		const seeded = lab.emulator.seedIncidents(lab.tenantId, 450);
		lab.emulator.setTokenLifetime(2);
		lab.emulator.injectFault({
			match: { api: 'xdr', path: '/[$]skip=/' },
			times: 10,
			fault: { delayMs: 600 },
		});
		const run = await attempt(lab, returnAll('defenderXdr'));
		expect(ids(run.output ?? [])).toEqual(seededIds(seeded));
		// Each page once; a token that expires while its request waits at the service is answered 401 and replaced.
		expect([
			...new Set(listCalls(lab, 'defenderXdr').map((request) => request.query.$skip ?? '0')),
		]).toEqual(['0', '100', '200', '300', '400']);
		expect(
			listCalls(lab, 'defenderXdr').filter(
				(request) => request.status !== 200 && request.status !== 401,
			),
		).toEqual([]);
		expect(lab.tokenRequests()).toBeGreaterThanOrEqual(2);
	});

	it('secret rotated (and old tokens revoked) mid-run: fails with AADSTS7000215, no partial items; the new secret works', async () => {
		const lab = await faultLab();
		const seeded = lab.emulator.seedIncidents(lab.tenantId, 160);
		const newSecret = `Rotated~${randomUUID()}`;
		clientSecrets.add(newSecret);
		const run = await midRun(lab, 'graph', () => {
			lab.emulator.rotateSecret(lab.clientId, newSecret);
			lab.emulator.revokeTokens();
		});
		expect(run.output).toBeUndefined();
		expect(run.error?.message).toMatch(
			/Sign-in failed \(AADSTS7000215\): The client secret is wrong/,
		);
		expect(run.error?.message).toMatch(/paste it into Client Secret/);
		// The old secret is tried once, not hammered.
		expect(lab.calls({ api: 'login', status: 401 })).toHaveLength(1);

		const again = await attempt(lab, returnAll('graph'), { continueOnFail: true });
		expect(again.output).toEqual([
			expect.objectContaining({
				json: expect.objectContaining({ error: expect.stringMatching(/AADSTS7000215/) }),
			}),
		]);

		const rotated = await attempt(lab, returnAll('graph'), {
			credentials: { ...lab.credentials, clientSecret: newSecret },
		});
		expect(ids(rotated.output ?? [])).toEqual(seededIds(seeded));
	});
});

describe('the token endpoint unavailable for a while', () => {
	const listOne = (api: Api = 'graph'): INodeParameters => ({
		api,
		resource: 'incident',
		operation: 'getAll',
		returnAll: false,
		limit: 5,
	});
	const loginStatuses = (lab: Lab) => lab.calls({ api: 'login' }).map((request) => request.status);

	it.each([
		['503 twice', { status: 503 }, 2, [503, 503, 200]],
		['500 without Retry-After once', { status: 500 }, 1, [500, 200]],
		['a connection reset', { reset: true }, 1, [0, 200]],
		['an HTML page from a proxy', { html: true }, 1, [502, 200]],
	] as const)(
		'%s: the sign-in is retried and the run completes',
		async (_label, fault, times, statuses) => {
			const lab = await faultLab();
			lab.emulator.seedIncidents(lab.tenantId, 3);
			lab.emulator.injectFault({ match: { api: 'login' }, times, fault });
			const run = await attempt(lab, listOne());
			expect(run.error?.message).toBeUndefined();
			expect(run.output).toHaveLength(3);
			expect(loginStatuses(lab)).toEqual(statuses);
		},
	);

	it('a transient sign-in failure does not leave the credential blocked for the next execution', async () => {
		const lab = await faultLab();
		lab.emulator.seedIncidents(lab.tenantId, 1);
		lab.emulator.injectFault({ match: { api: 'login' }, times: 20, fault: { status: 500 } });
		expect((await attempt(lab, listOne())).error).toBeDefined();
		lab.emulator.clearFaults();
		// Entra ID answers again: the next execution signs in at once (no client-side lock-out).
		const run = await attempt(lab, listOne());
		expect(run.error?.message).toBeUndefined();
		expect(run.output).toHaveLength(1);
		expect(loginStatuses(lab).at(-1)).toBe(200);
	});

	it('a token endpoint that stays down fails with an error naming it and the status, after a bounded number of tries', async () => {
		const lab = await faultLab();
		lab.emulator.injectFault({
			match: { api: 'login' },
			times: 20,
			fault: { status: 503, headers: NO_WAIT },
		});
		const run = await attempt(lab, listOne('defenderXdr'));
		expect(run.output).toBeUndefined();
		expect(run.error?.message).toBe(
			'Entra ID is temporarily unavailable (HTTP 503). Run the workflow again in a few minutes.',
		);
		expect(run.error?.description).toContain(
			`Token endpoint: ${lab.emulator.authorityUrl}/${lab.tenantId}/oauth2/v2.0/token. Tried `,
		);
		const tries = loginStatuses(lab).length;
		expect(tries).toBeGreaterThan(1);
		expect(tries).toBeLessThanOrEqual(5);
		expect(lab.calls({ api: 'xdr' })).toHaveLength(0);
	});

	it.each(['graph', 'defenderXdr'] as const)(
		'every URL of a Custom cloud unreachable (%s): a short headline naming the cause, the code and endpoint once in the description, no library internals',
		async (api) => {
			const lab = await faultLab();
			const port = await closedPort();
			const unreachable = `https://127.0.0.1:${port}`;
			const credentials = {
				...lab.credentials,
				authorityUrl: unreachable,
				defenderApiUrl: unreachable,
				graphApiUrl: unreachable,
				endpointApiUrl: unreachable,
			};
			const run = await attempt(lab, listOne(api), { credentials });
			const { message, description } = run.error ?? {};
			expect(message).toBe(
				`Could not reach Entra ID at 127.0.0.1:${port}: connection refused. Check the Cloud setting (for Custom: the Authority URL) and the network between n8n and that host.`,
			);
			expect(description).toBe(
				`Cause: ECONNREFUSED. Token endpoint: ${unreachable}/${lab.tenantId}/oauth2/v2.0/token. Tried 4 times.`,
			);
			expect(`${message} ${description}`).not.toMatch(
				/additionalErrorInfo|TypeError|fetch failed|network_error|Refusing/,
			);
		},
	);
});

// ---- Trigger -----------------------------------------------------------------------------------------
describe.each(['graph', 'defenderXdr'] as const)('the trigger on %s through faults', (api) => {
	const at = (ms: number, ticks = 0) =>
		new Date(ms).toISOString().replace('Z', `${String(ticks).padStart(4, '0')}Z`);
	const key = (json: IDataObject) =>
		api === 'graph'
			? `${json.id}@${json.lastUpdateDateTime}`
			: `${json.incidentId}@${json.lastUpdateTime}`;
	const versionOf = (incident: IDataObject) => `${incident.id}@${incident.lastUpdateTime}`;
	const snapshot = (data: IDataObject) => JSON.parse(JSON.stringify(data)) as IDataObject;
	/** Every list request of a poll but the first reads a closed window (its filter has an upper bound). */
	const CLOSED_WINDOW = '/%20and%20|\\+and\\+/';

	it('a poll failing on a later page (500s, a 429 storm, resets beyond the budget) moves nothing; the next poll emits each change once', async () => {
		const lab = await faultLab();
		const emuApi = emulatorApi(api);
		const now = Date.now();
		const parameters: INodeParameters = {
			api,
			event: 'incidentUpdated',
			filters: {},
			options: { overlapMinutes: 10, backfillFrom: new Date(now - 60 * MINUTE).toISOString() },
			simplify: false,
		};
		const staticData: IDataObject = {};
		const emitted: string[] = [];
		const poll = async () => {
			try {
				const { result } = await pollTrigger(lab, parameters, staticData);
				const keys = (result?.[0] ?? []).map((item) => key(item.json));
				visible.push(...(result?.[0] ?? []).map((item) => JSON.stringify(item)));
				emitted.push(...keys);
				return keys;
			} catch (error) {
				recordError(error);
				throw error;
			}
		};

		const first = lab.emulator.createIncident(lab.tenantId, {
			lastUpdateTime: at(now - 55 * MINUTE),
		});
		expect(await poll()).toEqual([versionOf(first)]);
		const expected = Array.from({ length: 130 }, (_, i) =>
			versionOf(
				lab.emulator.createIncident(lab.tenantId, {
					lastUpdateTime: at(now - 50 * MINUTE + i * 20_000, i),
				}),
			),
		);
		expected.push(
			versionOf(
				lab.emulator.updateIncident(lab.tenantId, first.id as number, { status: 'InProgress' }),
			),
		);
		const saved = snapshot(staticData);

		for (const [fault, times, message] of [
			[{ status: 500, headers: NO_WAIT }, 5, /answered 500 \(a server error\) after 5 attempts/],
			[
				{ status: 429, headers: NO_WAIT },
				7,
				/kept answering 429 Too Many Requests \(7 times in a row\)/,
			],
			[
				{ reset: true },
				5,
				/^Could not reach the .* API: connection reset\. Check the network between n8n and /,
			],
		] as const) {
			lab.emulator.injectFault({ match: { api: emuApi, path: CLOSED_WINDOW }, times, fault });
			await expect(poll()).rejects.toThrow(message);
			expect(snapshot(staticData)).toEqual(saved);
			lab.emulator.clearFaults();
		}
		expect(emitted).toEqual([versionOf(first)]);

		// Faults within the budget: the poll completes and emits every change exactly once.
		for (const fault of [
			{ status: 503, headers: NO_WAIT },
			{ status: 429, headers: NO_WAIT },
			{ reset: true },
		]) {
			lab.emulator.injectFault({ match: { api: emuApi, path: CLOSED_WINDOW }, times: 1, fault });
		}
		const keys = await poll();
		expect(keys.filter((k, i) => keys.indexOf(k) !== i)).toEqual([]);
		expect([...keys].sort()).toEqual([...expected].sort());
		expect(await poll()).toEqual([]);
	});
});

// ---- Bad input ---------------------------------------------------------------------------------------
describe('bad input: an actionable error naming the field, and no request where the check is local', () => {
	it.each(['12abc', '', '-5', '1.5', "1' or '1'='1", '../../admin', '1 2'])(
		'incident ID %j is refused before any call',
		async (value) => {
			const lab = await faultLab();
			const run = await attempt(lab, {
				api: 'graph',
				resource: 'incident',
				operation: 'get',
				incidentId: byId(value),
			});
			expect(run.error?.message).toMatch(
				/^Incident ".*" is not an incident ID\. Enter the number shown in the Defender portal/,
			);
			expect(lab.calls()).toHaveLength(0);
		},
	);

	it('an incident URL that is not one is refused, naming the field', async () => {
		const lab = await faultLab();
		const run = await attempt(lab, {
			api: 'graph',
			resource: 'incident',
			operation: 'get',
			incidentId: { __rl: true, mode: 'url', value: 'https://security.microsoft.com/alerts/12' },
		});
		expect(run.error?.message).toMatch(/Incident parameter's value is invalid/);
		expect(lab.calls()).toHaveLength(0);
	});

	it.each(['graph', 'defenderXdr'] as const)(
		'an unknown incident on %s: "Incident N not found" for Get and Update',
		async (api) => {
			const lab = await faultLab();
			const get = await attempt(lab, {
				api,
				resource: 'incident',
				operation: 'get',
				incidentId: byId(987654),
			});
			expect(get.error?.message).toMatch(
				/^Incident 987654 not found\. Check the ID \(the number in the portal URL\) and the tenant\./,
			);
			const update = await attempt(lab, {
				api,
				resource: 'incident',
				operation: 'update',
				incidentId: byId(987654),
				updateFields: { status: 'Resolved' },
			});
			expect(update.error?.message).toMatch(/^Incident 987654 not found/);
		},
	);

	it.each([
		[
			'status',
			'={{ "Closed" }}',
			/^Status "Closed" is not valid\. Use one of: Active, InProgress, Resolved, Redirected\./,
		],
		['status', '={{ 3 }}', /^Status "3" is not valid/],
		[
			'classification',
			'={{ $json.classification }}',
			/^Classification "truePositive" is not valid\. Use one of: Unknown, FalsePositive, TruePositive/,
		],
		[
			'determination',
			'={{ "Malware; drop" }}',
			/^Determination "Malware; drop" is not valid\. Use one of: NotAvailable, Apt, Malware/,
		],
	])(
		'Update refuses %s %s from an expression, before any PATCH',
		async (field, expression, expected) => {
			const lab = await faultLab();
			const incident = lab.emulator.createIncident(lab.tenantId, {});
			const run = await attempt(
				lab,
				{
					api: 'graph',
					resource: 'incident',
					operation: 'update',
					incidentId: byId(incident.id),
					updateFields: { [field]: expression },
				},
				{ inputItems: [{ json: { classification: 'truePositive' } }] },
			);
			expect(run.error?.message).toMatch(expected);
			expect(lab.calls({ method: 'PATCH' })).toHaveLength(0);
		},
	);

	it.each(['graph', 'defenderXdr'] as const)(
		'hunting on %s: an empty and a 1 MB query are refused before any call',
		async (api) => {
			const lab = await faultLab();
			for (const query of ['   ', '={{ "" }}']) {
				expect(
					(await attempt(lab, { api, resource: 'huntingQuery', operation: 'run', query })).error
						?.message,
				).toMatch(/^Query is empty\. Enter a KQL query/);
			}
			const huge = await attempt(lab, {
				api,
				resource: 'huntingQuery',
				operation: 'run',
				query: `DeviceInfo | where DeviceName == "${'x'.repeat(1_000_000)}"`,
			});
			expect(huge.error?.message).toMatch(
				/^Query is 1,000,\d{3} characters long; this node sends at most 100,000\. Shorten it/,
			);
			expect(lab.calls()).toHaveLength(0);
		},
	);

	it.each(['graph', 'defenderXdr'] as const)(
		'OData-breaking characters in a filter on %s are escaped and encoded; the service answers the match',
		async (api) => {
			const lab = await faultLab();
			const assignee = "o'brien & co #1 100% a+b é '; drop table incidents--";
			const match = lab.emulator.createIncident(lab.tenantId, {
				assignedTo: assignee,
				status: 'Active',
			});
			lab.emulator.createIncident(lab.tenantId, { assignedTo: "o'brien", status: 'Active' });
			lab.emulator.createIncident(lab.tenantId, { assignedTo: 'o', status: 'Active' });
			const run = await attempt(
				lab,
				returnAll(api, { filters: { assignedTo: assignee, status: 'Active' } }),
			);
			expect(run.error?.message).toBeUndefined();
			expect(ids(run.output ?? [])).toEqual([String(match.id)]);
			const [call] = listCalls(lab, api);
			expect(call.status).toBe(200);
			expect(call.query.$filter).toContain(
				`assignedTo eq 'o''brien & co #1 100% a+b é ''; drop table incidents--'`,
			);
		},
	);

	it.each([
		[
			'graphApiUrl',
			'http',
			/^Graph API URL must use https:\/\/ \(got http:\/\/\)\. Tokens are never sent over plain HTTP\./,
		],
		['authorityUrl', 'http', /^Authority URL must use https:\/\//],
		[
			'defenderApiUrl',
			'not a URL',
			/^Defender XDR API URL "defender api" is not a URL\. Enter an absolute https:\/\/ base URL\./,
		],
		[
			'graphApiUrl',
			'with a query',
			/^Graph API URL must be a base URL without "\?" or "#" parts\./,
		],
	])(
		'a Custom %s that is %s is refused before any call, naming the field',
		async (field, kind, expected) => {
			const lab = await faultLab();
			const good = String(lab.credentials[field]);
			const value =
				kind === 'http'
					? good.replace('https://', 'http://')
					: kind === 'not a URL'
						? 'defender api'
						: `${good}?x=1`;
			const before = lab.emulator.requests.length;
			const run = await attempt(
				lab,
				returnAll(field === 'defenderApiUrl' ? 'defenderXdr' : 'graph'),
				{ credentials: { ...lab.credentials, [field]: value } },
			);
			expect(run.error?.message).toMatch(expected);
			expect(run.error?.description).toContain(
				`Fix the field "${field}" of the Microsoft Defender API credential`,
			);
			expect(lab.emulator.requests.length).toBe(before);
		},
	);
});

// ---- Tokens stay on the credential's API hosts ------------------------------------------------------
describe('a token never leaves the API hosts: redirects, URL tricks, Custom API Call', () => {
	const elsewhereSince = (lab: Lab, from: number) => lab.emulator.elsewhere.requests.slice(from);
	const audienceOf = (options: IHttpRequestOptions) => {
		const token = String(options.headers?.Authorization ?? '').replace(/^Bearer /, '');
		return String(
			JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')).aud,
		);
	};

	it.each(APIS)(
		'a 302 from %s to another origin is not followed: no token reaches it, the error names where it pointed',
		async (api, emuApi) => {
			const lab = await faultLab();
			lab.emulator.seedIncidents(lab.tenantId, 3);
			const before = lab.emulator.elsewhere.requests.length;
			lab.emulator.injectFault({
				match: { api: emuApi, path: '/incidents' },
				times: 1,
				fault: { redirect: true },
			});
			const run = await attempt(lab, returnAll(api));
			expect(elsewhereSince(lab, before).filter((request) => request.authorization)).toEqual([]);
			expect(run.output).toBeUndefined();
			expect(run.error?.message).toMatch(
				new RegExp(
					`answered 302 \\(a redirect\\) to ${lab.emulator.elsewhere.url.replace(/[.]/g, '\\.')}/${emuApi}/.*incidents`,
				),
			);
			expect(run.error?.description).toMatch(/not followed/);
			expect(listCalls(lab, api)).toHaveLength(1);
		},
	);

	it('a redirected POST (a comment) is not followed or repeated, and a huge Location is cut', async () => {
		const lab = await faultLab();
		const incident = lab.emulator.createIncident(lab.tenantId, {});
		const before = lab.emulator.elsewhere.requests.length;
		const location = `${lab.emulator.elsewhere.url}/${'x'.repeat(5000)}`;
		lab.emulator.injectFault({
			match: { api: 'graph', method: 'POST' },
			times: 1,
			fault: { redirect: true, headers: { location } },
		});
		const run = await attempt(
			lab,
			{
				api: 'graph',
				resource: 'incident',
				operation: 'addComment',
				incidentId: byId(incident.id),
				comment: 'x',
			},
			{ continueOnFail: true },
		);
		expect(elsewhereSince(lab, before)).toEqual([]);
		expect(String(run.output?.[0].json.error)).toMatch(
			/answered 302 \(a redirect\) to https:\/\/127\.0\.0\.1:\d+\/x+…/,
		);
		expect(String(run.output?.[0].json.error).length).toBeLessThan(400);
		expect(lab.calls({ api: 'graph', method: 'POST' })).toHaveLength(1);
	});

	it.each([
		[
			'a baseURL elsewhere and a url starting with backslashes',
			(host: string) => ({
				baseURL: 'https://other.example/',
				url: `\\\\${host}/graph/v1.0/security/incidents`,
			}),
		],
		[
			'a protocol-relative url',
			(host: string) => ({ url: `//${host}/graph/v1.0/security/incidents` }),
		],
		[
			'a baseURL elsewhere and a relative url',
			() => ({ baseURL: 'https://other.example/graph', url: '/v1.0/security/incidents' }),
		],
		[
			'a url with backslashes in its path',
			(host: string) => ({ url: `https://${host}/graph\\..\\..\\elsewhere` }),
		],
		[
			'a baseURL under the API and a url leaving it',
			(host: string) => ({ baseURL: `https://${host}/graph/`, url: '//other.example/x' }),
		],
	])('authenticate refuses %s, before any token is asked for', async (_label, build) => {
		const lab = await faultLab();
		const host = new URL(lab.emulator.graphApiUrl).host;
		const logins = lab.tokenRequests();
		const options = { method: 'GET', ...build(host) } as IHttpRequestOptions;
		await expect(credentialType.authenticate(lab.credentials, options)).rejects.toThrow(
			/^Refusing to attach a Microsoft Defender token to .*: it is not under one of the credential's API URLs/,
		);
		expect(lab.tokenRequests()).toBe(logins);
	});

	it("authenticate takes the HTTP Request node's `uri` as well as `url`, with the audience of the API the URL lies under", async () => {
		const lab = await faultLab();
		const { graphApiUrl, endpointApiUrl, defenderApiUrl } = lab.emulator;
		const legacy = (uri: string) =>
			({
				method: 'GET',
				uri,
				headers: { accept: 'application/json' },
			}) as unknown as IHttpRequestOptions;
		const graph = await credentialType.authenticate(
			lab.credentials,
			legacy(`${graphApiUrl}/v1.0/security/incidents?$top=1`),
		);
		expect(audienceOf(graph)).toBe(graphApiUrl);
		expect((graph as unknown as { uri: string }).uri).toBe(
			`${graphApiUrl}/v1.0/security/incidents?$top=1`,
		);
		expect(graph.headers?.accept).toBe('application/json');
		expect(graph.sendCredentialsOnCrossOriginRedirect).toBe(false);
		expect(
			audienceOf(
				await credentialType.authenticate(
					lab.credentials,
					legacy(`${endpointApiUrl}/api/machines`),
				),
			),
		).toBe(endpointApiUrl);
		expect(
			audienceOf(
				await credentialType.authenticate(lab.credentials, {
					method: 'GET',
					url: '/api/incidents',
					baseURL: defenderApiUrl,
				}),
			),
		).toBe(defenderApiUrl);
		await expect(
			credentialType.authenticate(lab.credentials, legacy('https://example.com/api/incidents')),
		).rejects.toThrow(
			/^Refusing to attach a Microsoft Defender token to https:\/\/example\.com\/api\/incidents: it is not under one of the credential's API URLs/,
		);
		await expect(
			credentialType.authenticate(lab.credentials, { method: 'GET' } as IHttpRequestOptions),
		).rejects.toThrow(/^Refusing to attach a Microsoft Defender token: the request has no URL/);
	});
});

// ---- Input checked before anything is sent -----------------------------------------------------------
describe('input is checked before any request', () => {
	const isolate = (extra: IDataObject) => ({
		resource: 'machine',
		operation: 'isolate',
		machineId: byId('a'.repeat(40)),
		comment: 'contain',
		...extra,
	});

	it.each([['={{ "abc" }}'], [0], [-5], [86_401]])(
		'Wait Timeout %j is refused before the action is sent',
		async (waitTimeout) => {
			const lab = await faultLab();
			(
				lab.emulator as unknown as {
					addMachine(tenantId: string, fields: IDataObject): IDataObject;
				}
			).addMachine(lab.tenantId, { id: 'a'.repeat(40), computerDnsName: 'ws-9.contoso.local' });
			const run = await attempt(lab, isolate({ waitForCompletion: true, waitTimeout }));
			expect(run.error?.message).toMatch(
				/^Wait Timeout ".*" is not a number of seconds from 1 to 86,400 \(24 hours\)\./,
			);
			expect(lab.calls({ api: 'mde' })).toHaveLength(0);
		},
	);

	it.each([[0], [-1], [1.5], ['={{ "abc" }}']])(
		'Limit %j is refused before any call',
		async (limit) => {
			const lab = await faultLab();
			lab.emulator.seedIncidents(lab.tenantId, 3);
			const run = await attempt(lab, {
				api: 'graph',
				resource: 'incident',
				operation: 'getAll',
				returnAll: false,
				limit,
			});
			expect(run.error?.message).toMatch(
				/^Limit ".*" is not a whole number of 1 or more\. Enter how many results to return, or turn on Return All\./,
			);
			expect(lab.calls()).toHaveLength(0);
		},
	);

	it.each([['foo 1'], ['2026-02-31'], ['2026-11-01T25:00:00Z'], ['11/01/2026'], ['1']])(
		'Created After %j is refused before any call',
		async (createdAfter) => {
			const lab = await faultLab();
			const run = await attempt(lab, returnAll('graph', { filters: { createdAfter } }));
			expect(run.error?.message).toMatch(
				/^Created After ".*" is not a date\. Use an ISO 8601 date/,
			);
			expect(lab.calls()).toHaveLength(0);
		},
	);

	it('the trigger\'s Back-Fill From "foo 1" is refused before any call (not read as 2001)', async () => {
		const lab = await faultLab();
		const poll = pollTrigger(
			lab,
			{
				api: 'graph',
				event: 'incidentCreated',
				filters: {},
				options: { backfillFrom: 'foo 1' },
				simplify: true,
			},
			{},
		);
		await expect(poll).rejects.toThrow(
			/^Back-Fill From "foo 1" is not a date\. Use an ISO 8601 date/,
		);
		expect(lab.calls()).toHaveLength(0);
	});

	it('ISO 8601 dates with and without time or offset, and an n8n DateTime, are read as dates', async () => {
		const lab = await faultLab();
		const old = lab.emulator.createIncident(lab.tenantId, {
			createdTime: '2020-01-01T00:00:00.0000000Z',
		});
		const recent = lab.emulator.createIncident(lab.tenantId, {});
		for (const createdAfter of [
			'2021-01-01',
			'2021-01-01T00:00',
			'2021-01-01T02:00:00+02:00',
			'2021-01-01T00:00:00.1234567Z',
			'={{ $now.minus({ years: 3 }) }}',
		]) {
			const run = await attempt(lab, returnAll('defenderXdr', { filters: { createdAfter } }));
			expect(run.error?.message).toBeUndefined();
			expect(ids(run.output ?? [])).toEqual([String(recent.id)]);
		}
		expect(old.id).not.toBe(recent.id);
	});

	it.each([[-1], ['={{ "abc" }}'], [901]])(
		'Timeout %j is refused before any call',
		async (timeout) => {
			const lab = await faultLab();
			const run = await attempt(lab, returnAll('graph', { options: { timeout } }));
			expect(run.error?.message).toMatch(
				/^Timeout ".*" is not a number of seconds from 0 to 900\./,
			);
			expect(lab.calls()).toHaveLength(0);
		},
	);

	it.each([['.'], ['..'], ['a/b'], ['%2e%2e']])(
		'alert ID %j is refused before any call',
		async (alertId) => {
			const lab = await faultLab();
			for (const operation of ['get', 'update']) {
				const run = await attempt(lab, {
					api: 'defenderXdr',
					resource: 'alert',
					operation,
					alertId,
					updateFields: { status: 'Resolved' },
				});
				expect(run.error?.message).toMatch(/^Alert ID ".*" is not an alert ID/);
			}
			expect(lab.calls()).toHaveLength(0);
		},
	);

	it('a device ID answered by a name lookup that would change the path is refused; nothing is posted', async () => {
		const lab = await faultLab();
		lab.emulator.injectFault({
			match: { api: 'mde', method: 'GET', path: '/api/machines?' },
			times: 1,
			fault: {
				status: 200,
				body: { value: [{ id: 'x/../../indicators?', computerDnsName: 'evil.contoso.local' }] },
			},
		});
		const run = await attempt(lab, {
			resource: 'machine',
			operation: 'isolate',
			machineId: byId('evil.contoso.local'),
			comment: 'contain',
		});
		expect(run.error?.message).toMatch(
			/^The Defender for Endpoint API answered a device ID "x\/\.\.\/\.\.\/indicators\?" for "evil\.contoso\.local"/,
		);
		expect(lab.calls({ api: 'mde', method: 'POST' })).toHaveLength(0);
	});

	it('a 10,000-character Tenant ID or incident ID is quoted cut to 100 characters', async () => {
		const lab = await faultLab();
		const tenant = await attempt(
			lab,
			returnAll('graph', { options: { tenantId: `${'t'.repeat(10_000)}.onmicrosoft.com` } }),
		);
		expect(tenant.error?.message).toMatch(new RegExp(`^Tenant ID "t{100}…" is not a tenant GUID`));
		const incident = await attempt(lab, {
			api: 'graph',
			resource: 'incident',
			operation: 'get',
			incidentId: byId('9'.repeat(50) + 'x'.repeat(10_000)),
		});
		expect(incident.error?.message).toMatch(/^Incident "9{50}x{50}…" is not an incident ID/);
		for (const error of [tenant.error, incident.error])
			expect(String(error?.message).length).toBeLessThan(400);
		expect(lab.calls()).toHaveLength(0);
	});
});

// ---- State-changing calls are never sent twice -------------------------------------------------------
describe('a state-changing call is not repeated when its outcome is unknown', () => {
	const device = 'b'.repeat(40);
	const mdeLab = async () => {
		const lab = await faultLab();
		(
			lab.emulator as unknown as { addMachine(tenantId: string, fields: IDataObject): IDataObject }
		).addMachine(lab.tenantId, { id: device, computerDnsName: 'ws-1.contoso.local' });
		return lab;
	};

	it.each([
		[
			'isolate',
			'503',
			'POST',
			{ resource: 'machine', operation: 'isolate', machineId: byId(device), comment: 'contain' },
			{ status: 503, headers: NO_WAIT },
		],
		[
			'isolate',
			'500',
			'POST',
			{ resource: 'machine', operation: 'isolate', machineId: byId(device), comment: 'contain' },
			{ status: 500, headers: NO_WAIT },
		],
		[
			'add tag',
			'503',
			'POST',
			{ resource: 'machine', operation: 'addTag', machineId: byId(device), tag: 'x' },
			{ status: 503, headers: NO_WAIT },
		],
		[
			'indicator create',
			'503',
			'POST',
			{
				resource: 'indicator',
				operation: 'create',
				indicatorValue: 'evil.example.com',
				indicatorType: 'auto',
				action: 'Block',
				title: 't',
				description: 'd',
			},
			{ status: 503, headers: NO_WAIT },
		],
		[
			'indicator create',
			'a reset',
			'POST',
			{
				resource: 'indicator',
				operation: 'create',
				indicatorValue: 'evil.example.com',
				indicatorType: 'auto',
				action: 'Block',
				title: 't',
				description: 'd',
			},
			{ reset: true },
		],
		[
			'machine action cancel',
			'502',
			'POST',
			{
				resource: 'machineAction',
				operation: 'cancel',
				machineActionId: '5382f7ea-7557-4ab7-9782-d50480024a4e',
				comment: 'stop',
			},
			{ status: 502, headers: NO_WAIT },
		],
	] as const)(
		'%s answered %s: one %s, and the error says to check before running again',
		async (_label, _fault, method, parameters, fault) => {
			const lab = await mdeLab();
			lab.emulator.injectFault({ match: { api: 'mde', method }, times: 3, fault });
			const run = await attempt(lab, parameters);
			expect(run.error?.message).toMatch(
				new RegExp(
					`The ${method} was not repeated because it may already have been applied: check the result in the Defender portal before running it again`,
				),
			);
			expect(lab.calls({ api: 'mde', method })).toHaveLength(1);
		},
	);

	it.each([
		['graph', 'POST', { status: 503, headers: NO_WAIT }],
		['defenderXdr', 'PATCH', { status: 503, headers: NO_WAIT }],
	] as const)(
		'an incident status update on %s answered 503: one %s',
		async (api, method, fault) => {
			const lab = await faultLab();
			const incident = lab.emulator.createIncident(lab.tenantId, {});
			const parameters =
				method === 'POST'
					? {
							api,
							resource: 'incident',
							operation: 'addComment',
							incidentId: byId(incident.id),
							comment: 'x',
						}
					: {
							api,
							resource: 'incident',
							operation: 'update',
							incidentId: byId(incident.id),
							updateFields: { status: 'Resolved' },
						};
			lab.emulator.injectFault({ match: { api: emulatorApi(api), method }, times: 3, fault });
			const run = await attempt(lab, parameters);
			expect(run.error?.message).toMatch(
				new RegExp(`The ${method} was not repeated because it may already have been applied`),
			);
			expect(lab.calls({ api: emulatorApi(api), method })).toHaveLength(1);
		},
	);

	it('a 429 with Retry-After was not carried out: the isolate is sent again and succeeds', async () => {
		const lab = await mdeLab();
		lab.emulator.injectFault({
			match: { api: 'mde', method: 'POST' },
			times: 1,
			fault: { status: 429, headers: NO_WAIT },
		});
		const run = await attempt(lab, {
			resource: 'machine',
			operation: 'isolate',
			machineId: byId(device),
			comment: 'contain',
		});
		expect(run.error?.message).toBeUndefined();
		expect(run.output?.[0].json).toMatchObject({ type: 'Isolate', status: 'Pending' });
		expect(lab.calls({ api: 'mde', method: 'POST' }).map((request) => request.status)).toEqual([
			429, 201,
		]);
	});
});

// ---- Final scan --------------------------------------------------------------------------------------
describe('nothing secret in what this file made visible', () => {
	it('no error or output item of the scenarios above contains a client secret or a bearer token', () => {
		expect(visible.length).toBeGreaterThan(50);
		expect(bearerTokens.size).toBeGreaterThan(10);
		const values = [
			...clientSecrets,
			...[...bearerTokens].flatMap((token) => [token, token.split('.')[2]]),
		];
		const leaks = visible.flatMap((text) =>
			values
				.filter((value) => text.includes(value))
				.map((value) => text.split(value).join('<LEAKED>').slice(0, 300)),
		);
		expect(leaks).toEqual([]);
		// The scan bites: a text carrying a token would be reported.
		expect(values.some((value) => `x ${[...bearerTokens][0]}`.includes(value))).toBe(true);
	});
});
