/** The table, the machine it ran on, and bench/results.md. */
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface Row {
	id: string;
	what: string;
	value: string;
	target: string;
	/** null: reported, no target. */
	ok: boolean | null;
}

export function median(values: number[]): number {
	if (values.length === 0) return Number.NaN;
	const sorted = [...values].sort((a, b) => a - b);
	const middle = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export function formatMs(ms: number): string {
	return ms >= 10_000
		? `${(ms / 1000).toFixed(1)} s`
		: ms >= 1000
			? `${(ms / 1000).toFixed(2)} s`
			: `${ms.toFixed(0)} ms`;
}

function packageVersion(root: string, name: string): string {
	try {
		return (
			JSON.parse(readFileSync(path.join(root, 'node_modules', name, 'package.json'), 'utf8')) as {
				version: string;
			}
		).version;
	} catch {
		return 'unknown';
	}
}

export function machineInfo(root: string, loadAtStart: number[]): string[] {
	const cpus = os.cpus();
	const busiest = Math.max(loadAtStart[0], os.loadavg()[0]);
	const busy =
		busiest > cpus.length
			? [
					`**Busy machine**: 1-minute load average up to ${busiest.toFixed(1)} on ${cpus.length} cores — the wall-time rows (2b, 2e, 3c, 3f, 4a) include CPU contention from other work; counts (1, 2a, 2d, 3a/b/d/e, 5a) do not depend on it`,
				]
			: [];
	const own = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
		name: string;
		version: string;
	};
	return [
		`CPU: ${cpus[0]?.model ?? 'unknown'}, ${cpus.length} logical cores (${os.availableParallelism()} available to Node), load average (1/5/15 min) at the start ${loadAtStart.map((load) => load.toFixed(2)).join(' / ')}, at the end ${os
			.loadavg()
			.map((load) => load.toFixed(2))
			.join(' / ')} (a shared machine: other work ran alongside)`,
		`Memory: ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
		`OS: ${os.type()} ${os.release()} ${os.arch()}; Node ${process.version}`,
		`Packages: ${own.name} ${own.version} (dist/ as built), n8n-core ${packageVersion(root, 'n8n-core')}, n8n-workflow ${packageVersion(root, 'n8n-workflow')}, @azure/msal-node ${packageVersion(root, '@azure/msal-node')} (bundled into dist)`,
		...busy,
	];
}

const MEASURES = [
	"**1a/1b** — the emulator's log of `POST /{tenant}/oauth2/v2.0/token` for the run's tenants, after 50 `runDefender` executions (each a separate n8n-core execution of Incident → Get Many, Graph, Limit 1) started at once in one fresh process (empty token cache). 1b sets the node option Tenant ID to one of 3 consented tenants of the same multi-tenant app (execution i → tenant i mod 3).",
	"**2a/2d** — every request the emulator saw for the tenant between the end of a warm-up execution (Limit 1, which fetched the token) and the end of one Return All execution over 10,000 seeded incidents; the same in each repetition. **2b/2e** — wall time of that execution (`runDefender` call to its return: n8n-core, paging, Simplify, output items) ÷ wall time of a minimal loop in a process of its own: `fetch` (undici), `JSON.parse`, follow `@odata.nextLink`, with a token obtained once before the clock starts and one warm-up request. Same emulator, same latency, same page size. Each repetition runs both, back to back, in alternating order; the value is the median of the per-repetition ratios (the notes also give the ratio of the medians). The credential uses `quotaWindowSeconds: 1`: with the real 60 s window the client-side limiter (50 list calls per minute and tenant) would dominate (10,000 incidents = 100 or 200 calls = 2 or 4 minutes by design), so this row measures the client's own overhead, not the quota. **2c/2f** — `process.resourceUsage().maxRSS` of the node's run process at its end (includes n8n-core and the 10,000 output items).",
	"**3a–3f** — the emulator enforces 50 incident-list calls per sliding 5 s window per tenant (the real 50/min at 12× speed); the credential's `quotaWindowSeconds` is 5, so the client limiter assumes the same window. 200 Get Many (Limit 1) calls, as 4 concurrent executions of 50 input items each (items are processed one after the other) and as 200 concurrent executions of 1 item, Continue On Fail on. (One execution of 200 items is not used: at this 12× compressed window its ~80–110 ms per call is about the 100 ms per call the quota allows, so it would measure the speed of the machine rather than the limiter.) Failed items = output items with `error`; 429s from the emulator's log. Achieved rate: the quota lets at most 50 calls into any window, so accepted call #k+50 comes more than one window after call #k; from call #50 to call #200 at least ⌊(200−1)/50⌋ = 3 windows (15 s) must pass. Fraction = 3 × 5 s ÷ (time of call #200 − time of call #50), both as logged by the emulator (arrival; latency jitter adds at most ±50 ms). 1.00 = the best any client can do; the first 50 calls are the free burst, so they are not in the formula. **5a** = 429s ÷ all list calls sent in 3a–3f × 1,000.",
	'**4a–4c** — one Graph advanced hunting query answering 100,000 rows × 10 columns (DeviceProcessEvents-like: DateTime, 6 String including SHA1/SHA256 hashes, Int64, Dynamic), node with Output = One Item per Row vs `fetch` + `res.text()` + `JSON.parse` in a process of its own; both include the emulator generating and streaming the body. Each run: warm-up query (`| take 10`, also the token), `gc()`, baseline = `process.memoryUsage().rss`, the measured query, growth = `maxRSS` − baseline. Raw body size = bytes of the answer text the fetch run received. 4a is the median of per-repetition ratios, as in 2b.',
	"**5b** — with the emulator's latency set to 0 for this run only, 60 alternating pairs of `GET …/security/incidents?$top=1`: `fetch` over its kept-alive connection vs `https.request` with a new `https.Agent` (a new TCP + TLS connection), which is what n8n-core's HTTP helper (`@n8n/backend-network` `buildNodeAgents`) does for every request a node sends through `httpRequestWithAuthentication`. Value = difference of the medians. On loopback this is CPU only; over a real network a new connection also costs the TCP and TLS round trips, which the emulator's per-request latency does not model.",
	"**6a–6h** — n8n queue mode runs every execution in a worker process with its own token cache and quota limiter. Simulated here by measured-run child processes (`scaleWorker`: the node through real n8n-core, `runDefender` of test/support/lab), not by a real queue-mode n8n (that is `npm run test:scale`, see docs/SCALE.md). The emulator enforces 50 incident-list calls per sliding 10 s window per tenant (the real 50/min at 6× speed; BENCH_SMOKE: 4 s) and the credential's `quotaWindowSeconds` matches. 4 fresh consented tenants; 150 Get Many (Limit 1, Graph, Tenant ID option) executions per tenant, all concurrent, Continue On Fail on: first in 1 process (6a/6b), then split over 2 processes started at the same moment (6c–6f), then the same with the credential's Processes Sharing the Quota = 2, so that each process keeps to half of every quota (6g/6h). Each process first fetches its tokens (one call per tenant) and waits one window so that those calls have left it. Fraction per tenant as in row 3 (the last ⌊(n−1)/50⌋ × 50 accepted calls need at least that many windows; fraction = that ÷ their measured span), averaged over the 4 tenants: 1.00 = the summed quota of all tenants fully used. 429s from the emulator's log ÷ all list calls × 1,000. 6f counts `POST …/oauth2/v2.0/token` for the 4 tenants.",
	'**7a/7b** — 2,500 seeded vulnerabilities; Vulnerability → Get Many with Return All, measured as in 2a/2b: the requests the emulator saw for the tenant between a warm-up (Limit 1) and the end of the execution, and its wall time ÷ a minimal `fetch` loop asking `$top=8000` (the largest page the vulnerability list serves) and following `@odata.nextLink`. Fewest requests possible: one.',
];

export function writeReport(input: {
	file: string;
	machine: string[];
	startedAt: Date;
	durationMs: number;
	settings: string[];
	rows: Row[];
	notes: string[];
}): string {
	const mark = (ok: boolean | null) => (ok === null ? '' : ok ? '✓' : '✗');
	const escape = (text: string) => text.replace(/\|/g, '\\|');
	const table = [
		'| # | Measure | Measured | Target | |',
		'|---|---|---:|---|:-:|',
		...[...input.rows]
			.sort((a, b) => a.id.localeCompare(b.id))
			.map(
				(row) =>
					`| ${row.id} | ${escape(row.what)} | ${row.value} | ${escape(row.target)} | ${mark(row.ok)} |`,
			),
	];
	const lines = [
		'# Benchmark — n8n-nodes-microsoft-defender',
		'',
		`Run ${input.startedAt.toISOString()} by \`npm run bench\` (${formatMs(input.durationMs)}). Every value below was measured in this run.`,
		'',
		...input.machine.map((line) => `- ${line}`),
		...input.settings.map((line) => `- ${line}`),
		'',
		...table,
		'',
		'## Measurements behind the rows',
		'',
		...input.notes.map((note) => `- ${note}`),
		'',
		'## What each row measures',
		'',
		...MEASURES.map((text) => `- ${text}`),
		'',
	];
	const markdown = lines.join('\n');
	writeFileSync(input.file, markdown);
	return markdown;
}
