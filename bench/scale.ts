/**
 * Row 6: several n8n worker processes sharing customer tenants' quotas. In n8n's queue mode every
 * worker is its own process, with its own token cache and its own quota limiter. Here each worker is
 * simulated by a measured-run child process (the `scaleWorker` scenario: the node through real
 * n8n-core, test/support/lab → runDefender), all started together against the same tenants; the
 * orchestrator's emulator enforces the per-tenant quota. Three configurations: 1 process; 2 processes;
 * 2 processes with the credential's Processes Sharing the Quota = 2. A real queue-mode n8n (Redis, main, 2
 * workers) is measured by `npm run test:scale` instead (test/scale, docs/SCALE.md): too slow to
 * start for a benchmark row.
 */
import { createLab, type Emulator, type EmulatorRequest } from '../test/support/lab';
import type { RunOutcome, RunSpec } from './ipc';
import { formatMs, type Row } from './report';

/** What row 6 needs of the orchestrator's Bench. */
export interface ScaleBench {
	readonly emu: Emulator;
	readonly settings: { smoke: boolean };
	readonly rows: Row[];
	readonly notes: string[];
	run<T extends Record<string, unknown>>(spec: RunSpec, timeoutMs?: number): Promise<RunOutcome<T>>;
	elapsed(): string;
}

interface WorkerResult extends Record<string, unknown> {
	ms: number;
	failures: number;
	firstFailure: string | null;
	lateMs: number;
}

const log = (message: string) => process.stderr.write(`bench: ${message}\n`);

/**
 * Per tenant, the achieved rate ÷ the quota, as in row 3: the quota lets at most `limit` calls into any
 * window, so from accepted call #k to #k+limit more than one window passes; the best span for the last
 * ⌊(n−1)/limit⌋ × limit calls is that many windows.
 */
function fractionOf(
	acceptedTimes: number[],
	limit: number,
	windowMs: number,
): { fraction: number; lossPerWindowMs: number } {
	const sorted = [...acceptedTimes].sort((a, b) => a - b);
	const windows = Math.floor((sorted.length - 1) / limit);
	if (windows < 1) return { fraction: Number.NaN, lossPerWindowMs: Number.NaN };
	const span = sorted[sorted.length - 1] - sorted[sorted.length - 1 - windows * limit];
	return {
		fraction: (windows * windowMs) / span,
		lossPerWindowMs: (span - windows * windowMs) / windows,
	};
}

export async function scaleAcrossWorkers(bench: ScaleBench): Promise<void> {
	const { smoke } = bench.settings;
	const limit = 50;
	const windowSeconds = smoke ? 4 : 10;
	const windowMs = windowSeconds * 1000;
	const tenantCount = 4;
	// Three windows' worth per tenant: the free burst of `limit`, then two full windows at the quota's pace.
	const callsPerTenant = smoke ? 100 : 150;
	bench.emu.setQuota({ category: 'incidentList', limit, windowMs });
	const summary: Record<
		string,
		{ fraction: number; per1000: number; failures: number; tokens: number }
	> = {};
	try {
		for (const { workers, shared } of [
			{ workers: 1, shared: false },
			{ workers: 2, shared: false },
			{ workers: 2, shared: true },
		]) {
			const name = `${workers} process${workers > 1 ? 'es' : ''}${shared ? `, Processes Sharing the Quota = ${workers}` : ''}`;
			// Fresh tenants per configuration: fresh quota windows at the emulator and in every process.
			const lab = await createLab({ quotaWindowSeconds: windowSeconds });
			if (shared) lab.credentials.quotaProcesses = workers;
			const tenants = [lab.tenantId];
			while (tenants.length < tenantCount) tenants.push(lab.addTenant());
			for (const tenant of tenants) bench.emu.seedIncidents(tenant, 3);
			// Every process loads n8n-core and warms up (a token per tenant), waits out one quota window so
			// that the warm-up calls have left it, then all start at the same moment.
			const startAt = Date.now() + 12_000 + windowMs;
			const share = Math.ceil(callsPerTenant / workers);
			const outcomes = await Promise.all(
				Array.from({ length: workers }, (_, index) =>
					bench.run<WorkerResult>(
						{
							scenario: 'scaleWorker',
							params: {
								credentials: lab.credentials,
								tenants,
								calls: Math.min(share, callsPerTenant - index * share),
								startAt,
								windowMs,
							},
						},
						240_000,
					),
				),
			);
			const from = Math.min(...outcomes.map((outcome) => outcome.marks.start));
			const to = Math.max(...outcomes.map((outcome) => outcome.marks.end));
			const ids = new Set(tenants.map((tenant) => tenant.toLowerCase()));
			const requests = (
				bench.emu.requests.slice(from, to) as Array<EmulatorRequest & { at: string }>
			).filter((request) => request.tenant !== null && ids.has(request.tenant.toLowerCase()));
			const lists = requests.filter(
				(request) => request.api === 'graph' && request.path.endsWith('/security/incidents'),
			);
			const throttled = lists.filter((request) => request.status === 429).length;
			const perTenant = tenants.map((tenant) =>
				fractionOf(
					lists
						.filter(
							(request) =>
								request.status === 200 && request.tenant?.toLowerCase() === tenant.toLowerCase(),
						)
						.map((request) => Date.parse(request.at)),
					limit,
					windowMs,
				),
			);
			const fraction = perTenant.reduce((sum, entry) => sum + entry.fraction, 0) / perTenant.length;
			const failures = outcomes.reduce((sum, outcome) => sum + outcome.result.failures, 0);
			const firstFailure =
				outcomes
					.map((outcome) => outcome.result.firstFailure)
					.find((failure) => failure !== null) ?? null;
			const late = Math.max(...outcomes.map((outcome) => outcome.result.lateMs));
			const tokens = lab.tokenRequests();
			const per1000 = lists.length ? (throttled / lists.length) * 1000 : 0;
			summary[`${workers}${shared ? 's' : ''}`] = { fraction, per1000, failures, tokens };
			bench.notes.push(
				`6 (${name}): ${tenantCount} tenants × ${callsPerTenant} Get Many (Limit 1) executions, ${lists.length} list calls, ${throttled} refused with 429, ` +
					`${failures} failed${firstFailure ? ` (first: ${firstFailure})` : ''}; per-tenant fraction of the quota ${perTenant.map((entry) => entry.fraction.toFixed(3)).join(', ')} ` +
					`(${perTenant.map((entry) => formatMs(entry.lossPerWindowMs)).join(', ')} lost per window); wall time ${outcomes.map((outcome) => formatMs(outcome.result.ms)).join(' / ')}; ` +
					`${tokens} token requests${late > 0 ? `; a process started ${formatMs(late)} late` : ''}.`,
			);
			log(
				`row 6 (${name}): fraction ${fraction.toFixed(3)}, ${throttled} × 429 of ${lists.length} (${per1000.toFixed(1)} per 1,000), ${failures} failed [${bench.elapsed()}]`,
			);
		}
	} finally {
		bench.emu.clearQuotas();
	}
	const label = `${tenantCount} tenants × ${callsPerTenant} Get Many (Limit 1) executions, quota ${limit} list calls / ${windowSeconds} s per tenant`;
	const one = summary['1'];
	const two = summary['2'];
	const twoShared = summary['2s'];
	bench.rows.push(
		{
			id: '6a',
			what: `Scale, ${label}, 1 n8n process: throughput over tenants as a fraction of the summed quota`,
			value: one.fraction.toFixed(3),
			target: '≥ 0.90',
			ok: one.fraction >= 0.9,
		},
		{
			id: '6b',
			what: '… 429s per 1,000 calls',
			value: one.per1000.toFixed(1),
			target: '~0 (≤ 10)',
			ok: one.per1000 <= 10,
		},
		{
			id: '6c',
			what: `… the same calls split over 2 worker processes (own token cache and limiter each, as n8n queue-mode workers): throughput over tenants × workers as a fraction of the summed quota`,
			value: two.fraction.toFixed(3),
			// Without Processes Sharing the Quota nothing holds the summed quota: reported, not a target (6g is).
			target: 'report',
			ok: null,
		},
		{
			id: '6d',
			what: '… 429s per 1,000 calls with 2 worker processes (each limiter sees only its own calls)',
			value: two.per1000.toFixed(1),
			target: 'report',
			ok: null,
		},
		{
			id: '6e',
			what: '… failed executions with 2 worker processes (429s waited out with Retry-After)',
			value: String(two.failures),
			target: '0',
			ok: two.failures === 0,
		},
		{
			id: '6f',
			what: `… token requests with 2 worker processes (${tenantCount} tenants)`,
			value: String(two.tokens),
			target: `≤ ${tenantCount * 2} (tenants × processes)`,
			ok: two.tokens <= tenantCount * 2,
		},
		{
			id: '6g',
			what: "… 2 worker processes with the credential's Processes Sharing the Quota = 2: throughput over tenants × workers as a fraction of the summed quota",
			value: twoShared.fraction.toFixed(3),
			target: '≥ 0.90',
			ok: twoShared.fraction >= 0.9,
		},
		{
			id: '6h',
			what: '… 429s per 1,000 calls with Processes Sharing the Quota = 2',
			value: twoShared.per1000.toFixed(1),
			target: '0',
			ok: twoShared.per1000 === 0,
		},
	);
}
