// @ts-check
'use strict';
// This package inside a real n8n (shared/n8n-lab.md §3–5): pack it, install the tarball into a
// fresh n8n user folder the way n8n's community-node installer does, start `n8n start` (and, for
// queue mode, `n8n worker`) on loopback, and run n8n's CLI against the same folder.
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { installed } = require('./install');
const { run, spawnGroup, stopGroup, tail } = require('./proc');

const REPO = path.resolve(__dirname, '..', '..');
const PACKAGE_NAME = require(path.join(REPO, 'package.json')).name;

/** A TCP port free on 127.0.0.1 right now. */
function freePort() {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = /** @type {net.AddressInfo} */ (server.address());
			server.close(() => resolve(port));
		});
	});
}

/**
 * `npm pack` of the repository into a new temporary folder; returns the tarball's path.
 * `ignoreScripts` skips the prepack build when dist/ was just built.
 * @param {{ ignoreScripts?: boolean }} [options]
 */
async function packPackage({ ignoreScripts = false } = {}) {
	const dest = fs.mkdtempSync(path.join(os.tmpdir(), 'defender-pack-'));
	if (ignoreScripts && !fs.existsSync(path.join(REPO, 'dist', 'credentials')))
		throw new Error('dist/ is missing: run npm run build first');
	// Spelled out either way: the project's .npmrc says ignore-scripts=true, which would skip the prepack build.
	const { stdout } = await run(
		'npm',
		['pack', '--json', '--pack-destination', dest, `--ignore-scripts=${ignoreScripts}`],
		{
			cwd: REPO,
			timeoutMs: 5 * 60_000,
		},
	);
	/** @type {[{ filename: string, files: Array<{ path: string }> }]} */
	const [{ filename, files }] = JSON.parse(stdout.slice(stdout.indexOf('[')));
	if (!files.some((file) => file.path.startsWith('dist/credentials/')))
		throw new Error(
			`npm pack made ${filename} without dist/: run npm run build and look for its errors`,
		);
	return path.join(dest, filename);
}

/**
 * A fresh N8N_USER_FOLDER with the tarball installed in `.n8n/nodes` as n8n's Community Nodes
 * installer does it (peer dependencies omitted: n8n provides n8n-workflow). Returns its path.
 * @param {string} tarball @param {{ dir?: string }} [options]
 */
async function createN8nHome(tarball, { dir } = {}) {
	const home = dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-defender-home-'));
	const nodes = path.join(home, '.n8n', 'nodes');
	fs.mkdirSync(nodes, { recursive: true });
	fs.writeFileSync(path.join(nodes, 'package.json'), '{"name":"installed-nodes","private":true}\n');
	await run(
		'npm',
		[
			'install',
			'--omit=peer',
			'--legacy-peer-deps',
			'--ignore-scripts',
			'--no-audit',
			'--no-fund',
			'--loglevel=error',
			tarball,
		],
		{
			cwd: nodes,
			timeoutMs: 5 * 60_000,
		},
	);
	if (!fs.existsSync(path.join(nodes, 'node_modules', PACKAGE_NAME, 'package.json')))
		throw new Error(`${PACKAGE_NAME} did not land in ${nodes}/node_modules`);
	return home;
}

/**
 * The environment of every n8n process (server and CLI) for `home`.
 * @param {string} home @param {{ caFile?: string, brokerPort: number, env?: NodeJS.ProcessEnv }} options
 */
function n8nEnv(home, { caFile, brokerPort, env = {} }) {
	const base = { ...process.env };
	// Jest's and npm's own variables would change n8n's behaviour (NODE_ENV=test) or leak in.
	for (const key of Object.keys(base))
		if (/^(JEST_|npm_)/.test(key) || key === 'NODE_ENV' || key === 'NODE_OPTIONS') delete base[key];
	return {
		...base,
		PATH: installed().npmPath,
		NODE_ENV: 'production',
		N8N_USER_FOLDER: home,
		N8N_DIAGNOSTICS_ENABLED: 'false', // else it tries to reach its telemetry host
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_SECURE_COOKIE: 'false', // plain http on loopback
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'true',
		N8N_RUNNERS_BROKER_PORT: String(brokerPort), // one per process: the server's and a CLI's must differ
		NO_PROXY: '127.0.0.1,localhost',
		// n8n 1.123.81's default expression engine ("vm", isolated-vm) evaluates `$('Node').item` to null
		// (tried on Node 22), which breaks every example that reads an earlier node's paired item.
		...(n8nMajor() < 2 ? { N8N_EXPRESSION_ENGINE: 'legacy' } : {}),
		...(caFile ? { NODE_EXTRA_CA_CERTS: caFile } : {}),
		...env,
	};
}

/**
 * Runs the n8n CLI against `home` (another task-broker port than the server's) and returns its output.
 * @param {string} home @param {string[]} args
 * @param {{ caFile?: string, env?: NodeJS.ProcessEnv, timeoutMs?: number, allowFailure?: boolean }} [options]
 */
async function n8nCli(
	home,
	args,
	{ caFile, env = {}, timeoutMs = 120_000, allowFailure = false } = {},
) {
	const install = installed();
	const childEnv = n8nEnv(home, {
		caFile,
		brokerPort: await freePort(),
		env: { N8N_LOG_LEVEL: 'info', ...env },
	});
	return await run(install.nodeBin, [install.n8nBin, ...args], {
		cwd: home,
		env: childEnv,
		timeoutMs,
		allowFailure,
	});
}

/** The major version of the lab's n8n (1 or 2). */
function n8nMajor() {
	return Number(installed().version.split('.')[0]);
}

/**
 * Publishes (activates) a workflow from the CLI, so that its trigger runs at the next `n8n start`:
 * `publish:workflow` in n8n 2.x, `update:workflow --active=true` in 1.x (which has no publishing).
 * @param {string} home @param {string} workflowId @param {{ env?: NodeJS.ProcessEnv }} [options]
 */
async function publishWorkflowCli(home, workflowId, options = {}) {
	const args =
		n8nMajor() >= 2
			? ['publish:workflow', `--id=${workflowId}`]
			: ['update:workflow', `--id=${workflowId}`, '--active=true'];
	return await n8nCli(home, args, options);
}

/**
 * `n8n execute --id=<id> --rawOutput`, parsed: the execution (`data.resultData.runData`, `status`, …).
 * n8n prints the result through its logger, so other log lines may surround it; the execution is
 * the block from a line "{" to the next line "}" (it is pretty-printed with two-space indentation).
 * @param {string} home @param {string} workflowId @param {{ caFile?: string, timeoutMs?: number }} [options]
 * @returns {Promise<any>}
 */
async function executeWorkflow(home, workflowId, options = {}) {
	const { code, stdout, stderr } = await n8nCli(
		home,
		['execute', `--id=${workflowId}`, '--rawOutput'],
		{ ...options, allowFailure: true },
	);
	const lines = stdout.split('\n');
	const first = lines.indexOf('{');
	const last = lines.indexOf('}', first);
	let result;
	try {
		result = JSON.parse(lines.slice(first, last + 1).join('\n'));
	} catch {
		throw new Error(
			`n8n execute --id=${workflowId} (exit ${code}) printed no execution JSON:\n${tail(stdout, 40)}\n${tail(stderr)}`,
		);
	}
	const error = result?.data?.resultData?.error;
	if (code !== 0 || error) {
		const nodeName = error?.node?.name ? ` in node "${error.node.name}"` : '';
		throw Object.assign(
			new Error(
				`workflow ${workflowId} failed${nodeName}: ${error?.message ?? `exit code ${code}`}${error?.description ? ` — ${error.description}` : ''}`,
			),
			{ result },
		);
	}
	return result;
}

/** The output items (json only) of a node in an execution, first run, first output. @param {any} execution @param {string} nodeName */
function nodeOutput(execution, nodeName) {
	const runs = execution?.data?.resultData?.runData?.[nodeName];
	if (!runs)
		throw new Error(
			`node "${nodeName}" did not run; ran: ${Object.keys(execution?.data?.resultData?.runData ?? {}).join(', ')}`,
		);
	return (runs[0]?.data?.main?.[0] ?? []).map((/** @type {{ json: any }} */ item) => item.json);
}

/**
 * Spawns an n8n process (`n8n start`, `n8n worker`, …) for `home` in its own process group, its
 * log going to `logFile`; resolves once `readyUrl` answers 200. Shared by startN8n and startN8nWorker.
 * @param {{ home: string, command: string[], caFile?: string, brokerPort: number, env: NodeJS.ProcessEnv,
 *   logFile: string, readyUrl: string, readyTimeoutMs: number, label: string }} options
 */
async function launchN8n({
	home,
	command,
	caFile,
	brokerPort,
	env,
	logFile,
	readyUrl,
	readyTimeoutMs,
	label,
}) {
	const install = installed();
	const log = fs.openSync(logFile, 'a');
	const child = spawnGroup(install.nodeBin, [install.n8nBin, ...command], {
		cwd: home,
		stdio: ['ignore', log, log],
		env: n8nEnv(home, { caFile, brokerPort, env }),
	});
	fs.closeSync(log);
	const readLog = () => fs.readFileSync(logFile, 'utf8');
	const stop = () => stopGroup(child);

	const deadline = Date.now() + readyTimeoutMs;
	for (;;) {
		if (child.exitCode !== null || child.signalCode !== null) {
			throw new Error(
				`${label} exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${tail(readLog(), 40)}`,
			);
		}
		try {
			const response = await fetch(readyUrl, { signal: AbortSignal.timeout(2000) });
			if (response.status === 200) break;
		} catch {
			// not listening yet
		}
		if (Date.now() > deadline) {
			await stop();
			throw new Error(
				`${label} was not ready after ${readyTimeoutMs / 1000} s:\n${tail(readLog(), 40)}`,
			);
		}
		await new Promise((resolve) => setTimeout(resolve, 500));
	}
	return { pid: /** @type {number} */ (child.pid), logFile, readLog, stop };
}

/** Two distinct free ports. */
async function twoFreePorts() {
	const first = await freePort();
	let second = await freePort();
	while (second === first) second = await freePort();
	return [first, second];
}

/**
 * Starts `n8n start` for `home` on 127.0.0.1 in its own process group; resolves once
 * /healthz/readiness answers 200. The log (debug level) goes to `<home>/n8n.log` (or `logFile`).
 * @param {{ home: string, port?: number, caFile?: string, env?: NodeJS.ProcessEnv, readyTimeoutMs?: number, logFile?: string }} options
 */
async function startN8n({
	home,
	port,
	caFile,
	env = {},
	readyTimeoutMs = 120_000,
	logFile = path.join(home, 'n8n.log'),
}) {
	const httpPort = port ?? (await freePort());
	const [first, spare] = await twoFreePorts();
	const brokerPort = first === httpPort ? spare : first;
	const url = `http://127.0.0.1:${httpPort}`;
	const launched = await launchN8n({
		home,
		command: ['start'],
		caFile,
		brokerPort,
		env: {
			N8N_PORT: String(httpPort),
			N8N_LISTEN_ADDRESS: '127.0.0.1',
			N8N_HOST: '127.0.0.1',
			N8N_EDITOR_BASE_URL: url,
			N8N_LOG_LEVEL: 'debug',
			N8N_LOG_OUTPUT: 'console',
			...env,
		},
		logFile,
		readyUrl: `${url}/healthz/readiness`,
		readyTimeoutMs,
		label: 'n8n start',
	});
	return { url, port: httpPort, ...launched };
}

/**
 * Starts `n8n worker --concurrency=<n>` for `home` (queue mode: pass the queue variables in `env`, the
 * same as the main process's). Its health server listens on 127.0.0.1:`healthPort` and the task
 * broker on a port of its own; resolves once the worker's /healthz/readiness answers 200 (database
 * migrated, Redis connected). The log (info level) goes to `logFile`.
 * @param {{ home: string, logFile: string, concurrency?: number, caFile?: string, env?: NodeJS.ProcessEnv, readyTimeoutMs?: number }} options
 */
async function startN8nWorker({
	home,
	logFile,
	concurrency = 5,
	caFile,
	env = {},
	readyTimeoutMs = 120_000,
}) {
	const [healthPort, brokerPort] = await twoFreePorts();
	const launched = await launchN8n({
		home,
		command: ['worker', `--concurrency=${concurrency}`],
		caFile,
		brokerPort,
		env: {
			QUEUE_HEALTH_CHECK_ACTIVE: 'true',
			QUEUE_HEALTH_CHECK_PORT: String(healthPort),
			N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
			N8N_LOG_LEVEL: 'info',
			N8N_LOG_OUTPUT: 'console',
			...env,
		},
		logFile,
		readyUrl: `http://127.0.0.1:${healthPort}/healthz/readiness`,
		readyTimeoutMs,
		label: 'n8n worker',
	});
	return { healthPort, concurrency, ...launched };
}

module.exports = {
	freePort,
	packPackage,
	createN8nHome,
	n8nEnv,
	n8nCli,
	publishWorkflowCli,
	executeWorkflow,
	nodeOutput,
	startN8n,
	startN8nWorker,
	PACKAGE_NAME,
	REPO,
};
