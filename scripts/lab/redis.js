// @ts-check
'use strict';
// Redis for n8n's queue mode (shared/n8n-lab.md §9): Debian's `redis-server` package, installed with
// apt-get when missing, started on a loopback port without persistence (`--save ''`), in its own
// process group like every other lab process.
const fs = require('node:fs');
const net = require('node:net');
const { freePort } = require('./n8n');
const { run, spawnGroup, stopGroup, tail } = require('./proc');

const REDIS_SERVER = process.env.DEFENDER_REDIS_SERVER ?? '/usr/bin/redis-server';

/**
 * Makes sure `redis-server` is installed: nothing to do when it exists, else `apt-get update` and
 * `apt-get install -y redis-server` (needs root). Debian's package would start a system service;
 * containers forbid that (policy-rc.d), and the lab never uses it: it starts its own server.
 * Returns the executable's path.
 * @param {{ onProgress?: (message: string) => void }} [options]
 */
async function ensureRedis({ onProgress = () => {} } = {}) {
	if (fs.existsSync(REDIS_SERVER)) return REDIS_SERVER;
	if (typeof process.getuid === 'function' && process.getuid() !== 0) {
		throw new Error(`Redis is not installed (${REDIS_SERVER} is missing) and installing it needs root: run  sudo apt-get install -y redis-server  (Debian/Ubuntu), or set DEFENDER_REDIS_SERVER to a redis-server executable.`);
	}
	const started = Date.now();
	const seconds = () => `${Math.round((Date.now() - started) / 1000)} s`;
	const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
	// DPkg::Lock::Timeout: wait for another apt-get (e.g. a second test run doing the same) instead of failing.
	const install = () =>
		run('apt-get', ['-o', 'DPkg::Lock::Timeout=300', 'install', '-y', '--no-install-recommends', 'redis-server'], {
			env,
			timeoutMs: 10 * 60_000,
			heartbeat: () => onProgress(`      still installing redis-server… ${seconds()}`),
		});
	onProgress('Redis: apt-get install -y redis-server');
	try {
		await install();
	} catch {
		// Stale or missing package lists: refresh them once, then try again.
		onProgress(`Redis: apt-get update (${seconds()} so far)`);
		await run('apt-get', ['-o', 'DPkg::Lock::Timeout=300', 'update'], { env, timeoutMs: 5 * 60_000, heartbeat: () => onProgress(`      still updating the package lists… ${seconds()}`) });
		await install();
	}
	if (!fs.existsSync(REDIS_SERVER)) throw new Error(`apt-get install redis-server finished but ${REDIS_SERVER} is missing`);
	onProgress(`Redis: installed in ${seconds()}`);
	return REDIS_SERVER;
}

/** Sends PING over RESP; resolves true on +PONG. @param {number} port */
function ping(port) {
	return new Promise((resolve) => {
		const socket = net.connect({ host: '127.0.0.1', port });
		let answer = '';
		const done = (/** @type {boolean} */ ok) => {
			socket.destroy();
			resolve(ok);
		};
		socket.setTimeout(1000, () => done(false));
		socket.once('error', () => done(false));
		socket.once('connect', () => socket.write('PING\r\n'));
		socket.on('data', (chunk) => {
			answer += chunk.toString('utf8');
			if (answer.includes('\r\n')) done(answer.startsWith('+PONG'));
		});
	});
}

/**
 * Starts `redis-server` on 127.0.0.1:`port` (a free one when omitted), nothing written to disk;
 * resolves once it answers PING. `stop()` ends it (and only it).
 * @param {{ port?: number, readyTimeoutMs?: number }} [options]
 */
async function startRedis({ port, readyTimeoutMs = 20_000 } = {}) {
	const binary = await ensureRedis();
	const redisPort = port ?? (await freePort());
	const child = spawnGroup(binary, ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--protected-mode', 'yes', '--loglevel', 'warning']);
	let output = '';
	child.stdout?.on('data', (chunk) => (output = (output + chunk).slice(-8000)));
	child.stderr?.on('data', (chunk) => (output = (output + chunk).slice(-8000)));
	const stop = () => stopGroup(child, 5000);
	const deadline = Date.now() + readyTimeoutMs;
	while (!(await ping(redisPort))) {
		if (child.exitCode !== null || child.signalCode !== null) throw new Error(`redis-server exited (${child.exitCode ?? child.signalCode}) before answering PING:\n${tail(output)}`);
		if (Date.now() > deadline) {
			await stop();
			throw new Error(`redis-server did not answer PING on port ${redisPort} within ${readyTimeoutMs / 1000} s:\n${tail(output)}`);
		}
		await new Promise((resolve) => setTimeout(resolve, 200));
	}
	return { host: '127.0.0.1', port: redisPort, pid: /** @type {number} */ (child.pid), stop };
}

module.exports = { ensureRedis, startRedis, REDIS_SERVER };
