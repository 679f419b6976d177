/**
 * The orchestrator ↔ run protocol. The orchestrator hosts the emulator and starts every measured run
 * as a child process (so that peak RSS belongs to that run alone). A run asks the orchestrator to
 * `mark` the emulator's request log before and after its measured part, so that the requests of a
 * warm-up are not counted.
 */
import { fork } from 'node:child_process';

export type ScenarioName =
	'tokens' | 'list' | 'quota' | 'hunting' | 'connections' | 'scaleWorker' | 'vulnerabilities';

export interface RunSpec {
	scenario: ScenarioName;
	params: Record<string, unknown>;
}

export type ToChild =
	{ kind: 'spec'; spec: RunSpec } | { kind: 'rpc-result'; id: number; result: unknown };
export type ToParent =
	| { kind: 'rpc'; id: number; method: 'mark'; args: [string] }
	| { kind: 'result'; result: Record<string, unknown> }
	| { kind: 'error'; message: string };

export interface RunOutcome<T> {
	result: T;
	/** Length of the emulator's request log at each mark the run set. */
	marks: Record<string, number>;
	/** CPU time (ms, user + system) the orchestrator — i.e. the emulator — had used at each mark. */
	emulatorCpuMs: Record<string, number>;
	/** Process-lifetime peak RSS (bytes). */
	maxRssBytes: number;
}

// ---- child side ----

let nextId = 0;
const waiting = new Map<number, (value: unknown) => void>();

function send(message: ToParent): Promise<void> {
	return new Promise((resolve, reject) =>
		process.send!(message, undefined, {}, (error) => (error ? reject(error) : resolve())),
	);
}

/** Records the emulator's request-log position under `label`; resolves once recorded. */
export async function mark(label: string): Promise<void> {
	const id = nextId++;
	const answered = new Promise((resolve) => waiting.set(id, resolve));
	await send({ kind: 'rpc', id, method: 'mark', args: [label] });
	await answered;
}

export function maxRssBytes(): number {
	return process.resourceUsage().maxRSS * 1024;
}

/** The child's main: receive the spec, run the scenario, send the result, exit. */
export function serveRun(run: (spec: RunSpec) => Promise<Record<string, unknown>>): void {
	// The orchestrator went away: nothing left to report to.
	process.on('disconnect', () => process.exit(2));
	process.on('message', (message: ToChild) => {
		if (message.kind === 'rpc-result') {
			waiting.get(message.id)?.(message.result);
			waiting.delete(message.id);
			return;
		}
		run(message.spec)
			.then((result) => send({ kind: 'result', result: { ...result, maxRssBytes: maxRssBytes() } }))
			.catch((error: unknown) =>
				send({
					kind: 'error',
					message: error instanceof Error ? (error.stack ?? error.message) : String(error),
				}),
			)
			.finally(() => process.exit(0));
	});
}

// ---- orchestrator side ----

/** Starts one measured run in its own process and waits for its result (bounded by `timeoutMs`). */
export function runInChild<T extends Record<string, unknown>>(
	spec: RunSpec,
	options: { timeoutMs: number; requestLogLength: () => number },
): Promise<RunOutcome<T>> {
	const bundle = process.env.BENCH_BUNDLE;
	if (!bundle) throw new Error('BENCH_BUNDLE is not set: run the benchmark with `npm run bench`.');
	const child = fork(bundle, ['run'], {
		execArgv: ['--expose-gc'],
		env: process.env,
		stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
	});
	let output = '';
	const keep = (chunk: Buffer) => {
		output = (output + chunk.toString('utf8')).slice(-4000);
	};
	child.stdout?.on('data', keep);
	child.stderr?.on('data', keep);
	const marks: Record<string, number> = {};
	const emulatorCpuMs: Record<string, number> = {};
	return new Promise((resolve, reject) => {
		let settled = false;
		const fail = (why: string) => {
			if (settled) return;
			settled = true;
			clearTimeout(timer);
			child.kill('SIGKILL');
			reject(
				new Error(`${spec.scenario} run: ${why}${output ? `\n--- its output ---\n${output}` : ''}`),
			);
		};
		const timer = setTimeout(
			() => fail(`no result within ${options.timeoutMs / 1000} s`),
			options.timeoutMs,
		);
		child.on('message', (message: ToParent) => {
			if (message.kind === 'rpc') {
				marks[message.args[0]] = options.requestLogLength();
				const cpu = process.cpuUsage();
				emulatorCpuMs[message.args[0]] = (cpu.user + cpu.system) / 1000;
				child.send({ kind: 'rpc-result', id: message.id, result: null } satisfies ToChild);
			} else if (message.kind === 'error') {
				fail(message.message);
			} else if (!settled) {
				settled = true;
				clearTimeout(timer);
				const { maxRssBytes: rss, ...result } = message.result;
				resolve({ result: result as T, marks, emulatorCpuMs, maxRssBytes: Number(rss) });
			}
		});
		child.on('exit', (code, signal) => fail(`exited (${signal ?? code}) without a result`));
		child.on('error', (error) => fail(error.message));
		child.send({ kind: 'spec', spec } satisfies ToChild);
	});
}
