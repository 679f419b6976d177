/**
 * MSSP at scale in a real n8n 2.41.1 in queue mode: Redis, one main process and two workers
 * (`n8n worker --concurrency=5`) on one user folder, the packed package installed as a community
 * package, against the Defender emulator enforcing Microsoft's per-tenant quotas with a shortened
 * window (incident list: 50 calls per 6 s instead of per 60 s; the credential's Quota Window is 6 s
 * so that the client limiter assumes the same).
 *
 *  1. One multi-tenant app consented in 20 customer tenants × 500 incidents. A published Webhook →
 *     Microsoft Defender (Incident → Get Many, Defender XDR API, Return All, Tenant ID from the query)
 *     is called concurrently: first 3 times per tenant, interleaved ("spread", like per-tenant
 *     schedules), then 15 times at once for each of 4 tenants ("hot": both workers send to the same
 *     tenant, more than its quota; neither worker's limiter sees the other's calls), then the same on 4
 *     other tenants through a credential with Processes Sharing the Quota = 2 ("hot, shared": each
 *     worker keeps to half the quota, so no 429 may occur). Every answer must hold exactly the tenant's
 *     incidents, every execution must succeed, tokens ≤ tenants × workers, both workers work; 429s are
 *     counted and reported.
 *  2. The trigger in queue mode (polls run on the main process, the executions on the workers): three
 *     published trigger workflows, one per tenant (Tenant ID option), Updated Incident, Every Minute,
 *     Back-Fill From 10 minutes ago. Every change must be emitted exactly once, in its tenant's workflow.
 *
 * Needs n8n in the cache (installed on first use, ~5–10 minutes) and redis-server (apt-get on first
 * use). Runs only through `npm run test:scale` / `npm run scale`; ~5–7 minutes with n8n cached.
 * SCALE_KEEP=1 keeps the n8n folder and logs; the measurements go to test/.tmp/scale-report.json.
 * SCALE_TENANTS, SCALE_INCIDENTS, SCALE_RUNS_PER_TENANT, SCALE_HOT_TENANTS, SCALE_HOT_RUNS change the load.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

import * as lab from '../../scripts/lab';
import { startEmulator, type Emulator } from '../emulator';

interface Incident {
	id: number;
	title: string;
	status: string;
	createdTime: string;
	lastUpdateTime: string;
}
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const num = (name: string, fallback: number) =>
	process.env[name] ? Number(process.env[name]) : fallback;
const S = {
	tenants: num('SCALE_TENANTS', 20),
	incidents: num('SCALE_INCIDENTS', 500),
	spreadRuns: num('SCALE_RUNS_PER_TENANT', 3),
	hotTenants: num('SCALE_HOT_TENANTS', 4),
	hotRuns: num('SCALE_HOT_RUNS', 15),
	workers: 2,
	concurrency: 5,
	/** Microsoft: 50 incident-list calls per minute per app and tenant; here per 6 s (10× faster). */
	windowSeconds: 6,
	listQuota: 50,
	triggerTenants: 3,
	latency: [10, 40] as [number, number],
};
const MINUTE = 60_000;
const ROLES = { xdr: ['Incident.Read.All'], graph: ['SecurityIncident.Read.All'] };
const CREDENTIAL = { id: 'ScaleDefenderCred', name: 'Microsoft Defender (MSSP app)' };
/** The same app with Processes Sharing the Quota = the number of workers. */
const SHARED_CREDENTIAL = {
	id: 'ScaleDefenderCrd2',
	name: 'Microsoft Defender (MSSP app, quota shared by the workers)',
};
const WF = {
	list: 'ScaleListIncident',
	listShared: 'ScaleListShared1',
	triggers: ['ScaleTriggerTen01', 'ScaleTriggerTen02', 'ScaleTriggerTen03'],
};
const WEBHOOK_PATH = 'scale-incidents';
const SHARED_WEBHOOK_PATH = 'scale-incidents-shared';
const TRIGGER_NODE = 'Defender Trigger';
const REPORT_FILE = path.join(__dirname, '..', '.tmp', 'scale-report.json');
const progress = (message: string) => process.stderr.write(`[scale] ${message}\n`);

/** What one batch of webhook calls did, from the answers and the emulator's log. */
interface Batch {
	name: string;
	executions: number;
	wallMs: number;
	calls: number;
	throttled: number;
	per1000: number;
	maxThrottledPerTenant: number;
	/** Accepted list calls ÷ what the summed per-tenant quotas allowed over the batch's span (one window's burst + limit per window). */
	quotaFraction: number;
	perExecutionMs: { median: number; max: number };
	/** Per tenant with 429s: milliseconds from the batch's first call to each 429 (are retries spread or in lock-step?). */
	throttledAt: Record<string, number[]>;
}

describe('MSSP at scale: n8n queue mode, 2 workers, per-tenant quotas', () => {
	const secret = `scale~${randomUUID()}`;
	let emu: Emulator;
	let env: Awaited<ReturnType<typeof lab.startLabN8n>>;
	let cluster: NonNullable<Awaited<ReturnType<typeof lab.startLabN8n>>['cluster']>;
	let client: Awaited<ReturnType<typeof lab.setupOwner>>;
	const customers: string[] = [];
	const triggerTenants: string[] = [];
	const expectedIds = new Map<string, string[]>();
	const batches: Batch[] = [];
	const report: Json = { settings: S, startedAt: new Date().toISOString() };
	const suiteStarted = Date.now();
	const since = () => `${Math.round((Date.now() - suiteStarted) / 1000)} s`;

	beforeAll(async () => {
		await lab.ensureN8n({ onProgress: progress });
		await lab.ensureRedis({ onProgress: progress });

		emu = await startEmulator({ port: 0, latencyMs: S.latency });
		const { clientId } = emu.addApp({ secrets: [{ value: secret }] });
		// The MSSP's own tenant holds the credential; each customer consented to the same multi-tenant app.
		const home = emu.addTenant({ domains: ['mssp.example'] }).id;
		emu.consent({ tenantId: home, clientId, roles: ROLES });
		for (let i = 0; i < S.tenants + S.triggerTenants; i++) {
			const tenant = emu.addTenant({
				domains: [`customer${String(i + 1).padStart(2, '0')}.example`],
			}).id;
			emu.consent({ tenantId: tenant, clientId, roles: ROLES });
			(i < S.tenants ? customers : triggerTenants).push(tenant);
		}
		for (const tenant of customers) {
			emu.seedIncidents(tenant, S.incidents);
			expectedIds.set(
				tenant,
				emu
					.listIncidents(tenant)
					.map((incident) => String(incident.id))
					.sort(),
			);
		}
		emu.setQuota({
			category: 'incidentList',
			limit: S.listQuota,
			windowMs: S.windowSeconds * 1000,
		});

		// Trigger tenants: one incident before Back-Fill From (never emitted), three after it (the first poll's back-fill).
		const backfillFrom = new Date(Date.now() - 10 * MINUTE).toISOString();
		for (const tenant of triggerTenants) {
			const old = Date.now() - 2 * 60 * MINUTE;
			emu.createIncident(tenant, {
				title: 'Before back-fill',
				createdTime: old,
				lastUpdateTime: old,
			});
			for (const minutesAgo of [5, 4, 3]) {
				const at = Date.now() - minutesAgo * MINUTE;
				emu.createIncident(tenant, {
					title: `Back-filled ${minutesAgo} min ago`,
					severity: 'High',
					createdTime: at,
					lastUpdateTime: at,
				});
			}
		}

		const credential = lab.emulatorCredential({
			...CREDENTIAL,
			endpoints: emu,
			tenantId: home,
			clientId,
			clientSecret: secret,
			quotaWindowSeconds: S.windowSeconds,
		});
		const sharedCredential = lab.emulatorCredential({
			...SHARED_CREDENTIAL,
			endpoints: emu,
			tenantId: home,
			clientId,
			clientSecret: secret,
			quotaWindowSeconds: S.windowSeconds,
		});
		Object.assign(sharedCredential.data, { quotaProcesses: S.workers });
		const credentials = { microsoftDefenderApi: CREDENTIAL };
		const listWorkflow = (id: string, webhookPath: string, credential: typeof CREDENTIAL) => ({
			id,
			name: `Scale: list a customer tenant’s incidents (${credential.name})`,
			nodes: [
				{
					id: randomUUID(),
					name: 'Webhook',
					type: 'n8n-nodes-base.webhook',
					typeVersion: 2,
					position: [0, 0],
					webhookId: randomUUID(),
					parameters: {
						httpMethod: 'GET',
						path: webhookPath,
						responseMode: 'lastNode',
						responseData: 'allEntries',
						options: {},
					},
				},
				{
					id: randomUUID(),
					name: 'Incidents',
					type: lab.DEFENDER,
					typeVersion: 1,
					position: [220, 0],
					credentials: { microsoftDefenderApi: credential },
					parameters: {
						api: 'defenderXdr',
						resource: 'incident',
						operation: 'getAll',
						returnAll: true,
						filters: {},
						options: { tenantId: '={{ $json.query.tenant }}' },
						simplify: true,
					},
				},
			],
			connections: { Webhook: { main: [[{ node: 'Incidents', type: 'main', index: 0 }]] } },
			settings: { executionOrder: 'v1' },
		});
		const triggerWorkflows = triggerTenants.map((tenant, index) => ({
			id: WF.triggers[index],
			name: `Scale: changed incidents of trigger tenant ${index + 1}`,
			nodes: [
				{
					id: randomUUID(),
					name: TRIGGER_NODE,
					type: lab.DEFENDER_TRIGGER,
					typeVersion: 1,
					position: [0, 0],
					credentials,
					parameters: {
						api: 'graph',
						event: 'incidentUpdated',
						pollTimes: { item: [{ mode: 'everyMinute' }] },
						filters: {},
						options: { tenantId: tenant, backfillFrom },
						simplify: true,
					},
				},
			],
			connections: {},
			settings: { executionOrder: 'v1' },
		}));

		env = await lab.startLabN8n({
			credentials: [credential, sharedCredential],
			workflows: [
				listWorkflow(WF.list, WEBHOOK_PATH, CREDENTIAL),
				listWorkflow(WF.listShared, SHARED_WEBHOOK_PATH, SHARED_CREDENTIAL),
				...triggerWorkflows,
			],
			caFile: emu.caFile,
			ignoreScripts: true, // npm run test:scale has just built dist/
			queue: { workers: S.workers, concurrency: S.concurrency },
			onProgress: progress,
		});
		cluster = env.cluster!;
		client = env.client;
		// Published through REST as the editor's Publish does; each trigger polls once right away (on the main process).
		for (const id of [WF.list, WF.listShared, ...WF.triggers])
			await lab.activateWorkflow(client, id);
		report.setupSeconds = Math.round((Date.now() - suiteStarted) / 1000);
		progress(
			`set up in ${since()}: main ${env.server.url}, ${cluster.workers.map((worker) => `${worker.name} PID ${worker.pid}`).join(', ')}, home ${env.home}`,
		);
	}, 15 * MINUTE);

	afterAll(async () => {
		report.totalSeconds = Math.round((Date.now() - suiteStarted) / 1000);
		fs.mkdirSync(path.dirname(REPORT_FILE), { recursive: true });
		fs.writeFileSync(REPORT_FILE, `${JSON.stringify(report, null, 2)}\n`);
		progress(`report written to ${path.relative(process.cwd(), REPORT_FILE)}`);
		const keep = process.env.SCALE_KEEP === '1';
		await env?.stop({ keep });
		await emu?.stop();
		if (keep && env) progress(`kept ${env.home} (logs n8n.log, n8n-worker-*.log)`);
	}, 2 * MINUTE);

	/** Calls the published list workflow for `tenant`; resolves with the incident ids it answered. */
	async function listViaWebhook(
		tenant: string,
		webhookPath: string,
	): Promise<{ tenant: string; ids: string[]; ms: number }> {
		const started = Date.now();
		const response = await fetch(`${env.server.url}/webhook/${webhookPath}?tenant=${tenant}`, {
			signal: AbortSignal.timeout(5 * MINUTE),
		});
		const text = await response.text();
		if (response.status !== 200)
			throw new Error(
				`webhook for tenant ${tenant} answered ${response.status}: ${text.slice(0, 500)}`,
			);
		const items = JSON.parse(text) as Json[];
		return { tenant, ids: items.map((item) => String(item.id)), ms: Date.now() - started };
	}

	/** Runs the calls of `order` (tenants, in that order) all at once; checks the answers; measures the batch at the emulator. */
	async function runBatch(
		name: string,
		order: string[],
		webhookPath = WEBHOOK_PATH,
	): Promise<Batch> {
		const first = emu.requests.length;
		const started = Date.now();
		const outcomes = await Promise.allSettled(
			order.map((tenant) => listViaWebhook(tenant, webhookPath)),
		);
		const wallMs = Date.now() - started;
		const failures = outcomes
			.filter((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected')
			.map((outcome) => String(outcome.reason));
		expect(failures).toEqual([]);
		const answers = outcomes.map(
			(outcome) =>
				(outcome as PromiseFulfilledResult<Awaited<ReturnType<typeof listViaWebhook>>>).value,
		);
		for (const answer of answers) {
			// Exactly the tenant's incidents, each once: sorted equality also catches duplicates and other tenants' ids.
			expect({ tenant: answer.tenant, ids: [...answer.ids].sort() }).toEqual({
				tenant: answer.tenant,
				ids: expectedIds.get(answer.tenant),
			});
		}
		const tenants = new Set(order);
		const lists = emu.requests
			.slice(first)
			.filter(
				(request) =>
					request.api === 'xdr' && request.tenant !== null && tenants.has(request.tenant),
			);
		const throttled = lists.filter((request) => request.status === 429);
		const perTenant = new Map<string, number>();
		for (const request of throttled)
			perTenant.set(request.tenant as string, (perTenant.get(request.tenant as string) ?? 0) + 1);
		const firstAt = Date.parse(lists[0]?.at ?? new Date().toISOString());
		const throttledAt: Record<string, number[]> = {};
		for (const request of throttled)
			(throttledAt[`customer${customers.indexOf(request.tenant as string) + 1}`] ??= []).push(
				Date.parse(request.at) - firstAt,
			);
		const accepted = lists.filter((request) => request.status === 200);
		const times = answers.map((answer) => answer.ms).sort((a, b) => a - b);
		const spanMs = Math.max(
			1,
			Date.parse(lists[lists.length - 1]?.at ?? new Date().toISOString()) - firstAt,
		);
		// What the quota allows over the span: per tenant one full window up front, then `limit` per window.
		const allowed = tenants.size * S.listQuota * (1 + spanMs / (S.windowSeconds * 1000));
		const batch: Batch = {
			name,
			executions: order.length,
			wallMs,
			calls: lists.length,
			throttled: throttled.length,
			per1000: lists.length ? (throttled.length / lists.length) * 1000 : 0,
			maxThrottledPerTenant: Math.max(0, ...perTenant.values()),
			quotaFraction: accepted.length / allowed,
			perExecutionMs: { median: times[Math.floor(times.length / 2)], max: times[times.length - 1] },
			throttledAt,
		};
		batches.push(batch);
		progress(
			`${name}: ${order.length} executions over ${tenants.size} tenants in ${(wallMs / 1000).toFixed(1)} s; ${lists.length} list calls, ` +
				`${throttled.length} × 429 (${batch.per1000.toFixed(1)} per 1,000; at most ${batch.maxThrottledPerTenant} for one tenant); ${(batch.quotaFraction * 100).toFixed(0)} % of the summed quota used; ` +
				`execution round trip median ${(batch.perExecutionMs.median / 1000).toFixed(1)} s, max ${(batch.perExecutionMs.max / 1000).toFixed(1)} s [${since()}]`,
		);
		return batch;
	}

	it(
		`spread: ${S.tenants} tenants × ${S.incidents} incidents, ${S.spreadRuns} concurrent Return All executions per tenant, interleaved`,
		async () => {
			const order: string[] = [];
			for (let run = 0; run < S.spreadRuns; run++) order.push(...customers);
			const batch = await runBatch('spread', order);
			// The XDR API pages by 100: ceil(N/100) pages (a pager that ignored the missing @odata.nextLink on a full
			// last page would ask for one more, empty page). Every execution makes the same calls.
			const accepted = batch.calls - batch.throttled;
			const pages = accepted / order.length;
			expect([
				Math.ceil(S.incidents / 100),
				Math.ceil(S.incidents / 100) + (S.incidents % 100 === 0 ? 1 : 0),
			]).toContain(pages);
			report.pagesPerExecution = pages;
			// A tenant's whole demand (runs × pages) fits in one window, whichever worker sends it: no 429 can occur.
			if (S.spreadRuns * pages <= S.listQuota) expect(batch.throttled).toBe(0);
		},
		5 * MINUTE,
	);

	it(
		`hot: ${S.hotRuns} concurrent executions on each of ${S.hotTenants} tenants — both workers send to each tenant, 429s are waited out`,
		async () => {
			const hot = customers.slice(0, S.hotTenants);
			const order = hot.flatMap((tenant) => Array.from({ length: S.hotRuns }, () => tenant));
			const batch = await runBatch('hot', order);
			expect(batch.calls - batch.throttled).toBe(order.length * report.pagesPerExecution);
			// Retry-After is honoured: every call was answered in the end (no call ran out of its 6 retries, no execution failed).
			report.hotDemandPerTenant = S.hotRuns * report.pagesPerExecution;
		},
		5 * MINUTE,
	);

	it(
		`hot, Processes Sharing the Quota = ${S.workers}: the same load on ${S.hotTenants} other tenants stays within every tenant's quota — no 429`,
		async () => {
			const hot = customers.slice(S.hotTenants, 2 * S.hotTenants);
			const order = hot.flatMap((tenant) => Array.from({ length: S.hotRuns }, () => tenant));
			const batch = await runBatch('hot, shared quota', order, SHARED_WEBHOOK_PATH);
			expect(batch.calls - batch.throttled).toBe(order.length * report.pagesPerExecution);
			// Each worker keeps to 1/2 of the quota (its limiter counts from the response's arrival, after the service counted): together ≤ the quota.
			expect(batch.throttled).toBe(0);
		},
		5 * MINUTE,
	);

	it(
		'all list executions succeeded, on both workers; tokens stay within tenants × workers × APIs',
		async () => {
			const expected = S.tenants * S.spreadRuns + 2 * S.hotTenants * S.hotRuns;
			// n8n's own counts: every execution succeeded, none failed, crashed or is still running.
			const count = async (status: string[]) =>
				(await lab.countExecutions(client, WF.list, { status })) +
				(await lab.countExecutions(client, WF.listShared, { status }));
			expect({
				success: await count(['success']),
				other: await count([
					'error',
					'crashed',
					'canceled',
					'new',
					'running',
					'waiting',
					'unknown',
				]),
			}).toEqual({ success: expected, other: 0 });
			const executions = [
				...(await lab.listAllExecutions(client, WF.list)),
				...(await lab.listAllExecutions(client, WF.listShared)),
			];
			expect(executions).toHaveLength(expected);

			const owners = cluster.executionWorkers();
			const perWorker: Record<string, number> = Object.fromEntries(
				cluster.workers.map((worker) => [worker.name, 0]),
			);
			for (const execution of executions) {
				const owner = owners.get(String(execution.id));
				expect(owner).toBeDefined(); // every execution ran in a worker, none in the main process
				perWorker[owner as string]++;
			}
			for (const worker of cluster.workers) expect(perWorker[worker.name]).toBeGreaterThan(0);

			const customerSet = new Set(customers);
			const tokenRequests = emu.requests.filter(
				(request) =>
					request.api === 'login' &&
					request.path.endsWith('/token') &&
					request.tenant !== null &&
					customerSet.has(request.tenant),
			);
			const perTenant = new Map<string, number>();
			for (const request of tokenRequests)
				perTenant.set(request.tenant as string, (perTenant.get(request.tenant as string) ?? 0) + 1);
			// One Defender XDR API token per tenant and worker process, whatever the number of executions.
			expect(tokenRequests.length).toBeLessThanOrEqual(S.tenants * S.workers * 1);
			for (const count of perTenant.values()) expect(count).toBeLessThanOrEqual(S.workers);

			const calls = batches.reduce((sum, batch) => sum + batch.calls, 0);
			const throttled = batches.reduce((sum, batch) => sum + batch.throttled, 0);
			Object.assign(report, {
				listExecutions: expected,
				executionsPerWorker: perWorker,
				tokenRequests: tokenRequests.length,
				tenantsServedByBothWorkers: [...perTenant.values()].filter((count) => count === S.workers)
					.length,
				batches,
				listCalls: calls,
				throttled,
				throttledPer1000: calls ? (throttled / calls) * 1000 : 0,
			});
			progress(
				`list executions ${expected}: ${Object.entries(perWorker)
					.map(([name, count]) => `${name} ${count}`)
					.join(', ')}; ` +
					`${tokenRequests.length} token requests for ${S.tenants} tenants (${report.tenantsServedByBothWorkers} tenants served by both workers); ` +
					`${throttled} × 429 in ${calls} list calls = ${report.throttledPer1000.toFixed(1)} per 1,000 [${since()}]`,
			);
		},
		2 * MINUTE,
	);

	it(
		'trigger in queue mode: polls on the main process, every change emitted exactly once per tenant',
		async () => {
			// The first poll (at publication) back-fills the 3 incidents after Back-Fill From, per tenant.
			const expected = new Map<string, string[]>(); // workflow id → `${id}@${updatedAt ms}` expected
			const key = (incident: Incident) => `${incident.id}@${Date.parse(incident.lastUpdateTime)}`;
			triggerTenants.forEach((tenant, index) => {
				const backfilled = emu
					.listIncidents(tenant)
					.filter((incident) => incident.title.startsWith('Back-filled'));
				expected.set(WF.triggers[index], backfilled.map(key));
			});
			await waitForEmissions(expected, 3 * MINUTE);
			progress(
				`trigger: first poll back-filled ${[...expected.values()].map((keys) => keys.length).join(' + ')} changes [${since()}]`,
			);

			// Changes while the triggers poll: two new incidents and an update of a back-filled one per tenant.
			triggerTenants.forEach((tenant, index) => {
				const keys = expected.get(WF.triggers[index]) as string[];
				keys.push(
					key(emu.createIncident(tenant, { title: 'Created while polling', severity: 'Medium' })),
				);
				keys.push(
					key(emu.createIncident(tenant, { title: 'Created while polling, too', severity: 'Low' })),
				);
				const backfilled = emu
					.listIncidents(tenant)
					.find((incident) => incident.title === 'Back-filled 5 min ago') as Incident;
				keys.push(
					key(
						emu.updateIncident(tenant, backfilled.id, {
							status: 'InProgress',
							assignedTo: `soc@customer${index + 1}.example`,
						}),
					),
				);
			});
			const emitted = await waitForEmissions(expected, 3 * MINUTE);

			const owners = cluster.executionWorkers();
			const polls = { executions: 0, onWorkers: 0 };
			for (const [workflowId, keys] of emitted) {
				// Exactly once: the multiset of emitted changes equals the expected set.
				expect({ workflowId, emitted: [...keys.emitted].sort() }).toEqual({
					workflowId,
					emitted: [...(expected.get(workflowId) as string[])].sort(),
				});
				polls.executions += keys.executions.length;
				polls.onWorkers += keys.executions.filter((id) => owners.has(id)).length;
			}
			// The trigger's executions ran in the workers; polling itself happened in the main process only.
			expect(polls.onWorkers).toBe(polls.executions);
			for (const worker of cluster.workers)
				expect(worker.readLog()).not.toMatch(/Poll trigger initiated/);
			// What polling costs: list calls at the emulator per poll (the main process logs each poll at debug level).
			const pollCount = (
				env.server
					.readLog()
					.match(/Poll trigger initiated for workflow "Scale: changed incidents/g) ?? []
			).length;
			const triggerSet = new Set(triggerTenants);
			const pollCalls = emu.requests.filter(
				(request) =>
					request.api === 'graph' && request.tenant !== null && triggerSet.has(request.tenant),
			).length;
			Object.assign(report, {
				trigger: {
					tenants: S.triggerTenants,
					changesPerTenant: 6,
					executions: polls.executions,
					polls: pollCount,
					listCalls: pollCalls,
				},
			});
			progress(
				`trigger: ${polls.executions} executions (all on workers), every change once; ${pollCount} polls made ${pollCalls} list calls [${since()}]`,
			);
		},
		8 * MINUTE,
	);

	/**
	 * Waits until every trigger workflow in `expected` has emitted at least its expected changes (from
	 * its finished executions); returns, per workflow, every change emitted so far (repeats included)
	 * and the execution ids.
	 */
	async function waitForEmissions(expected: Map<string, string[]>, timeoutMs: number) {
		const deadline = Date.now() + timeoutMs;
		const seen = new Map<string, Map<string, string[]>>(); // workflow → execution id → changes
		for (;;) {
			const activationError = env.server
				.readLog()
				.split('\n')
				.find((line) => line.includes('problem activating the workflow'));
			if (activationError)
				throw new Error(`n8n could not activate a trigger workflow: ${activationError}`);
			for (const workflowId of expected.keys()) {
				const known = seen.get(workflowId) ?? new Map<string, string[]>();
				seen.set(workflowId, known);
				for (const summary of await lab.listAllExecutions(client, workflowId)) {
					if (
						known.has(String(summary.id)) ||
						['running', 'new', 'waiting'].includes(summary.status)
					)
						continue;
					const execution = await lab.getExecution(client, summary.id);
					if (summary.status !== 'success')
						throw new Error(
							`trigger execution ${summary.id} ended ${summary.status}: ${JSON.stringify(execution.data?.resultData?.error ?? {}).slice(0, 800)}`,
						);
					known.set(
						String(summary.id),
						lab
							.nodeOutput(execution, TRIGGER_NODE)
							.map((incident: Json) => `${incident.id}@${Date.parse(incident.updatedAt)}`),
					);
				}
			}
			const result = new Map(
				[...seen].map(([workflowId, known]) => [
					workflowId,
					{ emitted: [...known.values()].flat(), executions: [...known.keys()] },
				]),
			);
			const missing = [...expected].filter(
				([workflowId, keys]) => !keys.every((k) => result.get(workflowId)?.emitted.includes(k)),
			);
			if (missing.length === 0) return result;
			if (Date.now() > deadline) {
				const polls = env.server
					.readLog()
					.split('\n')
					.filter((line) => /poll/i.test(line))
					.slice(-15)
					.join('\n');
				throw new Error(
					`after ${timeoutMs / 1000} s: ${missing.map(([workflowId, keys]) => `${workflowId} expected [${keys.join(', ')}], emitted [${result.get(workflowId)?.emitted.join(', ')}]`).join('; ')}\n${polls}`,
				);
			}
			await new Promise((resolve) => setTimeout(resolve, 3000));
		}
	}
});
