// @ts-check
'use strict';
// The Debian packages the lab needs (build tools for sqlite3, chromium, redis-server, postgresql):
// found, or installed with apt-get as root; anyone else is told the exact command to run.
const fs = require('node:fs');
const path = require('node:path');
const { run } = require('./proc');

/** The executable `name` found on PATH, or undefined. @param {string} name */
function which(name) {
	for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
		if (!dir) continue;
		const candidate = path.join(dir, name);
		try {
			fs.accessSync(candidate, fs.constants.X_OK);
			if (fs.statSync(candidate).isFile()) return candidate;
		} catch {
			// not here
		}
	}
	return undefined;
}

/**
 * Makes sure `packages` are installed. `missing()` names what is still absent (empty: nothing to
 * do). As root: `apt-get install -y`, and when that fails (stale or missing package lists) `apt-get
 * update` and the install once more; apt-get waits for another apt-get's locks. Otherwise it throws
 * with the exact command to run (`alternative`: what else the user may do instead).
 * @param {{ what: string, packages: string[], missing: () => string[], recommends?: boolean, alternative?: string,
 *   onProgress?: (message: string) => void }} options
 */
async function ensureDebianPackages({
	what,
	packages,
	missing,
	recommends = false,
	alternative,
	onProgress = () => {},
}) {
	const absent = missing();
	if (!absent.length) return;
	const installArgs = [
		'install',
		'-y',
		...(recommends ? [] : ['--no-install-recommends']),
		...packages,
	];
	if (typeof process.getuid === 'function' && process.getuid() !== 0) {
		throw new Error(
			`${what}: ${absent.join(', ')} missing, and apt-get needs root. Run  sudo apt-get update && sudo apt-get ${installArgs.join(' ')}  (Debian/Ubuntu)${alternative ? `, or ${alternative}` : ''}, then try again.`,
		);
	}
	const started = Date.now();
	const seconds = () => `${Math.round((Date.now() - started) / 1000)} s`;
	const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
	const lock = ['-o', 'DPkg::Lock::Timeout=300'];
	const install = () =>
		run('apt-get', [...lock, ...installArgs], {
			env,
			timeoutMs: 15 * 60_000,
			heartbeat: () => onProgress(`      still installing ${packages.join(' ')}… ${seconds()}`),
		});
	onProgress(`${what}: apt-get ${installArgs.join(' ')} (${absent.join(', ')} missing)`);
	try {
		await install();
	} catch {
		onProgress(`${what}: apt-get update (${seconds()} so far)`);
		// The lock timeout does not cover the package lists' lock on every apt version: retry on it.
		for (let attempt = 1; ; attempt++) {
			try {
				await run('apt-get', [...lock, 'update'], {
					env,
					timeoutMs: 5 * 60_000,
					heartbeat: () => onProgress(`      still updating the package lists… ${seconds()}`),
				});
				break;
			} catch (error) {
				if (attempt >= 10 || !/Could not get lock/i.test(String(error))) throw error;
				onProgress('      the package lists are locked by another apt-get; trying again in 15 s');
				await new Promise((resolve) => setTimeout(resolve, 15_000));
			}
		}
		await install();
	}
	const still = missing();
	if (still.length)
		throw new Error(
			`apt-get ${installArgs.join(' ')} finished but ${still.join(', ')} still missing`,
		);
	onProgress(`${what}: installed in ${seconds()}`);
}

/** What compiling sqlite3 (node-gyp) needs: a C/C++ compiler, make and Python 3. */
const BUILD_TOOLS = ['g++', 'make', 'python3'];

/** Makes sure g++, make and python3 are on PATH (Debian packages of the same names). @param {{ onProgress?: (message: string) => void }} [options] */
async function ensureBuildTools({ onProgress } = {}) {
	await ensureDebianPackages({
		what: 'Build tools for compiling sqlite3',
		packages: BUILD_TOOLS,
		missing: () => BUILD_TOOLS.filter((tool) => !which(tool)),
		onProgress,
	});
}

module.exports = { which, ensureDebianPackages, ensureBuildTools, BUILD_TOOLS };
