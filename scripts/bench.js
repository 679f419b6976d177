#!/usr/bin/env node
// `npm run bench` (after `npm run build`): the measured-performance table of bench/README.md.
// Bundles bench/main.ts with esbuild into a temporary folder and runs it: an orchestrator process
// hosts the emulator and starts every measured run in a child process of its own (peak RSS per run).
// Not a test: it prints one table and writes it to bench/results.md. Loopback only; bounded in time.
const { fork } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { bundleTs } = require('./bundleTs');

const root = path.resolve(__dirname, '..');
/** Hard stop for the whole benchmark (it normally takes 3–5 minutes). */
const DEADLINE_MS = 15 * 60_000;

if (
	!fs.existsSync(path.join(root, 'dist', 'nodes', 'MicrosoftDefender', 'MicrosoftDefender.node.js'))
) {
	console.error('bench: dist/ is missing; run `npm run build` first.');
	process.exit(1);
}

async function main() {
	const work = fs.mkdtempSync(path.join(os.tmpdir(), 'defender-bench-'));
	const bundle = path.join(work, 'bench.js');
	const distCopy = path.join(work, 'dist');
	try {
		fs.cpSync(path.join(root, 'dist'), distCopy, { recursive: true });
		for (const file of [
			'nodes/MicrosoftDefender/MicrosoftDefender.node.js',
			'nodes/MicrosoftDefender/transport/vendor.js',
			'credentials/MicrosoftDefenderApi.credentials.js',
		]) {
			if (!fs.existsSync(path.join(distCopy, file)))
				throw new Error(
					`dist/${file} is missing (a build still running?); run \`npm run build\` and try again.`,
				);
		}
		await bundleTs(path.join(root, 'bench', 'main.ts'), bundle, distCopy);
	} catch (error) {
		fs.rmSync(work, { recursive: true, force: true });
		throw error;
	}

	const userFolder = path.join(work, 'n8n');
	fs.mkdirSync(userFolder);
	const orchestrator = fork(bundle, ['orchestrate'], {
		cwd: root,
		execArgv: [],
		env: {
			...process.env,
			NODE_EXTRA_CA_CERTS: path.join(root, 'test', 'fixtures', 'tls', 'emulator-cert.pem'),
			NODE_PATH: path.join(root, 'node_modules'),
			N8N_USER_FOLDER: userFolder,
			BENCH_BUNDLE: bundle,
		},
		stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
	});
	const deadline = setTimeout(() => {
		console.error(`bench: no result after ${DEADLINE_MS / 60_000} minutes; stopping it.`);
		orchestrator.kill('SIGKILL');
	}, DEADLINE_MS);
	for (const signal of ['SIGINT', 'SIGTERM']) {
		process.on(signal, () => orchestrator.kill(signal));
	}
	orchestrator.on('exit', (code, signal) => {
		clearTimeout(deadline);
		fs.rmSync(work, { recursive: true, force: true });
		process.exit(code ?? (signal ? 1 : 0));
	});
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
