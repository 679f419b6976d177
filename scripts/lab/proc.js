// @ts-check
'use strict';
// Child processes for the lab: each runs in its own process group (spawn detached, like setsid),
// is bounded in time, and is killed with its whole group on timeout, on stop and when this
// process exits. Nothing is ever killed by name. No child inherits the configuration of the npm
// that started this script (see childEnv).
const { spawn } = require('node:child_process');

/** Process-group leaders started here and still running. */
const live = new Set();

function killGroup(/** @type {number} */ pid, /** @type {NodeJS.Signals} */ signal) {
	try {
		process.kill(-pid, signal);
	} catch {
		// already gone
	}
}

process.on('exit', () => {
	for (const pid of live) killGroup(pid, 'SIGKILL');
});

/**
 * `env` (default: this process's) without `npm_config_*` and `npm_lifecycle_*`. `npm test` / `npm
 * run` put the project's npm configuration there (its .npmrc's ignore-scripts=true, prefixes, nodedir),
 * and an npm started by a child would obey it: e.g. `npm rebuild sqlite3` silently compiling nothing.
 * @param {NodeJS.ProcessEnv} [env] @returns {NodeJS.ProcessEnv}
 */
function childEnv(env = process.env) {
	return Object.fromEntries(
		Object.entries(env).filter(([key]) => !/^npm_(config|lifecycle)_/i.test(key)),
	);
}

/**
 * Spawns `command` in its own process group, tracked for cleanup, with `childEnv(options.env)`.
 * @param {string} command @param {string[]} args @param {import('node:child_process').SpawnOptions} [options]
 */
function spawnGroup(command, args, options = {}) {
	const child = spawn(command, args, {
		stdio: ['ignore', 'pipe', 'pipe'],
		...options,
		env: childEnv(options.env),
		detached: true,
	});
	if (child.pid) {
		const pid = child.pid;
		live.add(pid);
		child.once('exit', () => {
			// The leader is gone; make sure nothing it started lingers (e.g. n8n's task runner).
			killGroup(pid, 'SIGKILL');
			live.delete(pid);
		});
	}
	return child;
}

/**
 * Stops a group: SIGTERM, then SIGKILL after `graceMs`. Resolves when the leader has exited.
 * @param {import('node:child_process').ChildProcess} child @param {number} [graceMs]
 */
async function stopGroup(child, graceMs = 10_000) {
	if (!child.pid || child.exitCode !== null || child.signalCode !== null) return;
	const exited = new Promise((resolve) => child.once('exit', resolve));
	killGroup(child.pid, 'SIGTERM');
	const timer = setTimeout(() => child.pid && killGroup(child.pid, 'SIGKILL'), graceMs);
	await exited;
	clearTimeout(timer);
}

/**
 * Runs a command to completion. Rejects on a non-zero exit or after `timeoutMs` (the group is killed).
 * `heartbeat` is called every `heartbeatMs` while it runs (progress for long steps).
 * @param {string} command @param {string[]} args
 * @param {{ cwd?: string, env?: NodeJS.ProcessEnv, timeoutMs: number, input?: string,
 *   heartbeat?: (elapsedMs: number) => void, heartbeatMs?: number, allowFailure?: boolean }} options
 * @returns {Promise<{ code: number | null, stdout: string, stderr: string }>}
 */
function run(
	command,
	args,
	{ cwd, env, timeoutMs, heartbeat, heartbeatMs = 15_000, allowFailure = false },
) {
	return new Promise((resolve, reject) => {
		const started = Date.now();
		const child = spawnGroup(command, args, { cwd, env });
		let stdout = '';
		let stderr = '';
		child.stdout?.on('data', (chunk) => (stdout += chunk));
		child.stderr?.on('data', (chunk) => (stderr += chunk));
		let timedOut = false;
		const timer = setTimeout(() => {
			timedOut = true;
			if (child.pid) killGroup(child.pid, 'SIGKILL');
		}, timeoutMs);
		const beat = heartbeat
			? setInterval(() => heartbeat(Date.now() - started), heartbeatMs)
			: undefined;
		child.once('error', (error) => {
			clearTimeout(timer);
			clearInterval(beat);
			reject(error);
		});
		child.once('close', (code) => {
			clearTimeout(timer);
			clearInterval(beat);
			const shown = `${command} ${args.join(' ')}`;
			if (timedOut)
				return reject(
					new Error(
						`${shown}: no result after ${Math.round(timeoutMs / 1000)} s (killed)\n${tail(stderr || stdout)}`,
					),
				);
			if (code !== 0 && !allowFailure)
				return reject(new Error(`${shown}: exit code ${code}\n${tail(stderr || stdout)}`));
			resolve({ code, stdout, stderr });
		});
	});
}

/** The last lines of a long output, for error messages. */
function tail(/** @type {string} */ text, lines = 25) {
	return text.trimEnd().split('\n').slice(-lines).join('\n');
}

module.exports = { childEnv, spawnGroup, stopGroup, run, tail };
