/**
 * What one measured run does, in its own process. Node runs go through real n8n-core (runDefender of
 * test/support/lab → test/harness/n8n); baselines are minimal hand-written fetch loops over the same
 * endpoints of the same emulator, with a token obtained once before the clock starts.
 */
import https from 'node:https';
import { performance } from 'node:perf_hooks';

import type { ICredentialDataDecryptedObject, INodeParameters } from 'n8n-workflow';

import { mark, type RunSpec } from './ipc';

type LabModule = typeof import('../test/support/lab');
let lab: LabModule | undefined;

/** lab (and with it n8n-core) is loaded only by runs of the node: baseline processes stay plain Node. */
async function runDefender(
	...args: Parameters<LabModule['runDefender']>
): ReturnType<LabModule['runDefender']> {
	lab ??= await import('../test/support/lab');
	return await lab.runDefender(...args);
}

type Api = 'graph' | 'defenderXdr';

const gc = (): void => (globalThis as { gc?: () => void }).gc?.();

/** CPU time (ms, user + system) this process used since `since`. */
function cpuMsSince(since: NodeJS.CpuUsage): number {
	const used = process.cpuUsage(since);
	return (used.user + used.system) / 1000;
}

function incidentList(api: Api, parameters: INodeParameters): INodeParameters {
	return { resource: 'incident', operation: 'getAll', api, ...parameters };
}

// ---- minimal fetch client (the baselines) ----

async function fetchToken(
	credentials: ICredentialDataDecryptedObject,
	apiBase: string,
): Promise<string> {
	const response = await fetch(
		`${credentials.authorityUrl}/${credentials.tenantId}/oauth2/v2.0/token`,
		{
			method: 'POST',
			headers: { 'content-type': 'application/x-www-form-urlencoded' },
			body: new URLSearchParams({
				grant_type: 'client_credentials',
				client_id: String(credentials.clientId),
				client_secret: String(credentials.clientSecret),
				scope: `${apiBase}/.default`,
			}),
		},
	);
	if (!response.ok)
		throw new Error(`token request answered ${response.status}: ${await response.text()}`);
	return ((await response.json()) as { access_token: string }).access_token;
}

async function fetchJson(
	url: string,
	token: string,
	init: RequestInit = {},
): Promise<{ body: Record<string, unknown>; bytes: number }> {
	const response = await fetch(url, {
		...init,
		headers: { ...init.headers, authorization: `Bearer ${token}` },
	});
	const text = await response.text();
	if (!response.ok) throw new Error(`${url} answered ${response.status}: ${text.slice(0, 300)}`);
	return { body: JSON.parse(text) as Record<string, unknown>, bytes: Buffer.byteLength(text) };
}

function listUrl(
	credentials: ICredentialDataDecryptedObject,
	api: Api,
): { base: string; url: string; page: number } {
	return api === 'graph'
		? {
				base: String(credentials.graphApiUrl),
				url: `${credentials.graphApiUrl}/v1.0/security/incidents`,
				page: 50,
			}
		: {
				base: String(credentials.defenderApiUrl),
				url: `${credentials.defenderApiUrl}/api/incidents`,
				page: 100,
			};
}

// ---- scenarios ----

/** Row 1: `executions` concurrent executions of Get Many (Limit 1), spread over `tenants` by the Tenant ID option. */
async function tokens(params: {
	credentials: ICredentialDataDecryptedObject;
	tenants: string[];
	executions: number;
}) {
	const { credentials, tenants, executions } = params;
	const started = performance.now();
	const outcomes = await Promise.allSettled(
		Array.from({ length: executions }, (_, i) =>
			runDefender(
				{ credentials },
				incidentList('graph', {
					returnAll: false,
					limit: 1,
					options: { tenantId: tenants[i % tenants.length] },
				}),
			),
		),
	);
	const failures = outcomes.filter((outcome) => outcome.status === 'rejected');
	return {
		ms: performance.now() - started,
		failures: failures.length,
		firstFailure: failures.length ? String((failures[0] as PromiseRejectedResult).reason) : null,
		items: outcomes.reduce(
			(sum, outcome) => sum + (outcome.status === 'fulfilled' ? outcome.value.length : 0),
			0,
		),
	};
}

/** Row 2: Return All over every incident, by the node or by the fetch loop. */
async function list(params: {
	credentials: ICredentialDataDecryptedObject;
	api: Api;
	mode: 'node' | 'fetch';
	expected: number;
}) {
	const { credentials, api, mode, expected } = params;
	let count: number;
	let ms: number;
	let cpuMs: number;
	if (mode === 'node') {
		// Warm-up (not measured, not counted): the token, MSAL, n8n-core's code paths.
		await runDefender({ credentials }, incidentList(api, { returnAll: false, limit: 1 }));
		gc();
		await mark('start');
		const cpu = process.cpuUsage();
		const started = performance.now();
		const items = await runDefender({ credentials }, incidentList(api, { returnAll: true }));
		ms = performance.now() - started;
		cpuMs = cpuMsSince(cpu);
		await mark('end');
		count = items.length;
	} else {
		const { base, url, page } = listUrl(credentials, api);
		const token = await fetchToken(credentials, base);
		await fetchJson(`${url}?$top=1`, token);
		gc();
		await mark('start');
		const cpu = process.cpuUsage();
		const started = performance.now();
		const records: unknown[] = [];
		let next: string | undefined = `${url}?$top=${page}`;
		while (next) {
			const { body } = await fetchJson(next, token);
			records.push(...(body.value as unknown[]));
			next = body['@odata.nextLink'] as string | undefined;
		}
		ms = performance.now() - started;
		cpuMs = cpuMsSince(cpu);
		await mark('end');
		count = records.length;
	}
	if (count !== expected)
		throw new Error(`${mode} listed ${count} incidents, expected ${expected}`);
	return { ms, cpuMs, count };
}

/** Row 7: Vulnerability → Get Many, Return All, by the node or by the fetch loop (pages of 8,000, the API's largest). */
async function vulnerabilities(params: {
	credentials: ICredentialDataDecryptedObject;
	mode: 'node' | 'fetch';
	expected: number;
}) {
	const { credentials, mode, expected } = params;
	let count: number;
	let ms: number;
	if (mode === 'node') {
		await runDefender(
			{ credentials },
			{ resource: 'vulnerability', operation: 'getAll', returnAll: false, limit: 1 },
		);
		gc();
		await mark('start');
		const started = performance.now();
		const items = await runDefender(
			{ credentials },
			{ resource: 'vulnerability', operation: 'getAll', returnAll: true },
		);
		ms = performance.now() - started;
		await mark('end');
		count = items.length;
	} else {
		const base = String(credentials.endpointApiUrl);
		const token = await fetchToken(credentials, base);
		await fetchJson(`${base}/api/vulnerabilities?$top=1`, token);
		gc();
		await mark('start');
		const started = performance.now();
		const records: unknown[] = [];
		let next: string | undefined = `${base}/api/vulnerabilities?$top=8000`;
		while (next) {
			const { body } = await fetchJson(next, token);
			records.push(...(body.value as unknown[]));
			next = body['@odata.nextLink'] as string | undefined;
		}
		ms = performance.now() - started;
		await mark('end');
		count = records.length;
	}
	if (count !== expected)
		throw new Error(`${mode} listed ${count} vulnerabilities, expected ${expected}`);
	return { ms, count };
}

/**
 * Runs the executions `start` begins between the start and end marks, all at once; their wall time and
 * the failed items (Continue On Fail) or executions.
 */
async function timedExecutions(start: () => Array<ReturnType<typeof runDefender>>) {
	await mark('start');
	const started = performance.now();
	const outcomes = await Promise.allSettled(start());
	const ms = performance.now() - started;
	await mark('end');
	let failures = 0;
	let firstFailure: string | null = null;
	for (const outcome of outcomes) {
		const errors =
			outcome.status === 'rejected'
				? [String(outcome.reason)]
				: outcome.value
						.filter((item) => item.json.error !== undefined)
						.map((item) => String(item.json.error));
		failures += errors.length;
		firstFailure ??= errors[0] ?? null;
	}
	return { ms, failures, firstFailure };
}

/** Row 3: `calls` list calls against a quota, as `executions` concurrent executions that share the calls out as input items. */
async function quota(params: {
	credentials: ICredentialDataDecryptedObject;
	calls: number;
	executions: number;
}) {
	const { credentials, calls, executions } = params;
	const parameters = incidentList('graph', { returnAll: false, limit: 1 });
	const itemsOf = (execution: number) =>
		Array.from(
			{ length: Math.floor(calls / executions) + (execution < calls % executions ? 1 : 0) },
			() => ({ json: {} }),
		);
	return await timedExecutions(() =>
		Array.from({ length: executions }, (_, execution) =>
			runDefender({ credentials }, parameters, {
				continueOnFail: true,
				inputItems: itemsOf(execution),
			}),
		),
	);
}

/** Row 4: one advanced hunting query of the whole table, by the node (One Item per Row) or by fetch + JSON.parse. */
async function hunting(params: {
	credentials: ICredentialDataDecryptedObject;
	mode: 'node' | 'fetch';
	table: string;
	rows: number;
	columns: number;
}) {
	const { credentials, mode, table, rows, columns } = params;
	const run = (query: string) =>
		runDefender(
			{ credentials },
			{ resource: 'huntingQuery', operation: 'run', api: 'graph', query, output: 'rows' },
		);
	const url = `${credentials.graphApiUrl}/v1.0/security/runHuntingQuery`;
	const post = (query: string): RequestInit => ({
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ Query: query }),
	});
	let token = '';
	// Warm-up with a small answer: token, code paths; then the memory baseline.
	if (mode === 'node') await run(`${table} | take 10`);
	else {
		token = await fetchToken(credentials, String(credentials.graphApiUrl));
		await fetchJson(url, token, post(`${table} | take 10`));
	}
	gc();
	gc();
	const baselineRss = process.memoryUsage().rss;
	await mark('start');
	const cpu = process.cpuUsage();
	const started = performance.now();
	let count: number;
	let width: number;
	let bytes: number | null = null;
	if (mode === 'node') {
		const items = await run(table);
		count = items.length;
		width = Object.keys(items[0]?.json ?? {}).length;
	} else {
		const answer = await fetchJson(url, token, post(table));
		const results = answer.body.results as Array<Record<string, unknown>>;
		count = results.length;
		width = Object.keys(results[0] ?? {}).length;
		bytes = answer.bytes;
	}
	const ms = performance.now() - started;
	const cpuMs = cpuMsSince(cpu);
	const peakRss = process.resourceUsage().maxRSS * 1024;
	await mark('end');
	if (count !== rows || width !== columns)
		throw new Error(
			`${mode} returned ${count} rows × ${width} columns, expected ${rows} × ${columns}`,
		);
	return { ms, cpuMs, baselineRss, peakRss, rssGrowth: peakRss - baselineRss, bytes };
}

/** One GET (`$top=1`) over a new TLS connection, as n8n-core's HTTP helper sends every request (a new https.Agent each time). */
function getOverNewConnection(url: string, token: string): Promise<void> {
	return new Promise((resolve, reject) => {
		const request = https.request(
			url,
			{
				headers: { authorization: `Bearer ${token}` },
				agent: new https.Agent({ keepAlive: false }),
			},
			(response) => {
				let text = '';
				response.setEncoding('utf8');
				response.on('data', (chunk: string) => (text += chunk));
				response.on('end', () => {
					try {
						JSON.parse(text);
						resolve();
					} catch (error) {
						reject(error);
					}
				});
				response.on('error', reject);
			},
		);
		request.on('error', reject);
		request.end();
	});
}

/** Row 5b: what a new TLS connection per request costs, against fetch's kept-alive connection (run with zero emulator latency). */
async function connections(params: { credentials: ICredentialDataDecryptedObject; calls: number }) {
	const { credentials, calls } = params;
	const { base, url } = listUrl(credentials, 'graph');
	const token = await fetchToken(credentials, base);
	const target = `${url}?$top=1`;
	await fetchJson(target, token);
	await getOverNewConnection(target, token);
	const keptAlive: number[] = [];
	const fresh: number[] = [];
	for (let i = 0; i < calls; i++) {
		let started = performance.now();
		await fetchJson(target, token);
		keptAlive.push(performance.now() - started);
		started = performance.now();
		await getOverNewConnection(target, token);
		fresh.push(performance.now() - started);
	}
	return { keptAlive, fresh };
}

/**
 * Row 6: one simulated n8n worker process (own token cache, own quota limiter). Warms up (a token per
 * tenant), waits until `startAt` and at least one quota window after its warm-up calls, then runs
 * `calls` concurrent Get Many (Limit 1) executions per tenant (Tenant ID option), Continue On Fail on.
 */
async function scaleWorker(params: {
	credentials: ICredentialDataDecryptedObject;
	tenants: string[];
	calls: number;
	startAt: number;
	windowMs: number;
}) {
	const { credentials, tenants, calls, startAt, windowMs } = params;
	const listFor = (tenantId: string) =>
		incidentList('graph', { returnAll: false, limit: 1, options: { tenantId } });
	await Promise.all(tenants.map((tenant) => runDefender({ credentials }, listFor(tenant))));
	const go = Math.max(startAt, Date.now() + windowMs + 100);
	await new Promise((resolve) => setTimeout(resolve, go - Date.now()));
	const measured = await timedExecutions(() =>
		tenants.flatMap((tenant) =>
			Array.from({ length: calls }, () =>
				runDefender({ credentials }, listFor(tenant), { continueOnFail: true }),
			),
		),
	);
	return { ...measured, lateMs: Math.max(0, go - startAt) };
}

const SCENARIOS = {
	tokens,
	list,
	quota,
	hunting,
	connections,
	scaleWorker,
	vulnerabilities,
} as const;

export async function runScenario(spec: RunSpec): Promise<Record<string, unknown>> {
	const scenario = SCENARIOS[spec.scenario] as (
		params: unknown,
	) => Promise<Record<string, unknown>>;
	return await scenario(spec.params);
}
