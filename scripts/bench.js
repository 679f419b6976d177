#!/usr/bin/env node
// `npm run bench` (after `npm run build`): the measured-performance table of bench/README.md.
// Bundles bench/main.ts with esbuild into a temporary folder and runs it: an orchestrator process
// hosts the emulator and starts every measured run in a child process of its own (peak RSS per run).
// Not a test: it prints one table and writes it to bench/results.md. Loopback only; bounded in time.
const { fork } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const esbuild = require('esbuild');

const root = path.resolve(__dirname, '..');
/** Hard stop for the whole benchmark (it normally takes 3–5 minutes). */
const DEADLINE_MS = 15 * 60_000;

if (
	!fs.existsSync(path.join(root, 'dist', 'nodes', 'MicrosoftDefender', 'MicrosoftDefender.node.js'))
) {
	console.error('bench: dist/ is missing; run `npm run build` first.');
	process.exit(1);
}

/**
 * TypeScript under bench/ and test/ is bundled; JavaScript reached by a relative path (dist/, the
 * emulator) stays external under its absolute path, so that it is loaded from where it lives (one
 * module instance, its own __dirname). dist/ is measured from a copy taken when the benchmark starts
 * (`distCopy`), so that a rebuild during the run cannot pull it away. `__dirname`/`__filename` in
 * bundled TypeScript keep the values of the original file. Packages stay external and resolve
 * through NODE_PATH.
 */
const repoPaths = (distCopy) => ({
	name: 'repo-paths',
	setup(build) {
		const dist = path.join(root, 'dist') + path.sep;
		build.onResolve({ filter: /^\.\.?\// }, (args) => {
			const base = path.resolve(args.resolveDir, args.path);
			for (const candidate of [
				base,
				`${base}.ts`,
				`${base}.js`,
				path.join(base, 'index.ts'),
				path.join(base, 'index.js'),
			]) {
				if (!fs.existsSync(candidate) || !fs.statSync(candidate).isFile()) continue;
				if (!candidate.endsWith('.js')) return { path: candidate };
				const target = candidate.startsWith(dist)
					? path.join(distCopy, candidate.slice(dist.length))
					: candidate;
				return { path: target, external: true };
			}
			return undefined;
		});
		build.onLoad({ filter: /\.ts$/ }, (args) => {
			const text = fs.readFileSync(args.path, 'utf8');
			return {
				contents: text
					.replace(/\b__dirname\b/g, JSON.stringify(path.dirname(args.path)))
					.replace(/\b__filename\b/g, JSON.stringify(args.path)),
				loader: 'ts',
			};
		});
	},
});

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
		await esbuild.build({
			entryPoints: [path.join(root, 'bench', 'main.ts')],
			outfile: bundle,
			bundle: true,
			packages: 'external',
			platform: 'node',
			format: 'cjs',
			target: 'node20',
			logLevel: 'warning',
			plugins: [repoPaths(distCopy)],
		});
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
