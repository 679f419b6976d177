// @ts-check
'use strict';
// Redis for n8n's queue mode (shared/n8n-lab.md §9): Debian's `redis-server` package, installed with
// apt-get when missing, started on a loopback port without persistence (`--save ''`), in its own
// process group like every other lab process.
const fs = require('node:fs');
const net = require('node:net');
const { freePort } = require('./n8n');
const { spawnGroup, stopGroup, tail } = require('./proc');
const { ensureDebianPackages } = require('./system');

const REDIS_SERVER = process.env.DEFENDER_REDIS_SERVER ?? '/usr/bin/redis-server';

/**
 * Makes sure `redis-server` is installed (Debian's package, apt-get as root). Debian's package would
 * start a system service; containers forbid that (policy-rc.d), and the lab never uses it: it starts
 * its own server. Returns the executable's path.
 * @param {{ onProgress?: (message: string) => void }} [options]
 */
async function ensureRedis({ onProgress } = {}) {
	await ensureDebianPackages({
		what: 'Redis',
		packages: ['redis-server'],
		missing: () => (fs.existsSync(REDIS_SERVER) ? [] : [REDIS_SERVER]),
		alternative: 'set DEFENDER_REDIS_SERVER to a redis-server executable',
		onProgress,
	});
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
	const child = spawnGroup(binary, [
		'--port',
		String(redisPort),
		'--bind',
		'127.0.0.1',
		'--save',
		'',
		'--appendonly',
		'no',
		'--daemonize',
		'no',
		'--protected-mode',
		'yes',
		'--loglevel',
		'warning',
	]);
	let output = '';
	child.stdout?.on('data', (chunk) => (output = (output + chunk).slice(-8000)));
	child.stderr?.on('data', (chunk) => (output = (output + chunk).slice(-8000)));
	const stop = () => stopGroup(child, 5000);
	const deadline = Date.now() + readyTimeoutMs;
	while (!(await ping(redisPort))) {
		if (child.exitCode !== null || child.signalCode !== null)
			throw new Error(
				`redis-server exited (${child.exitCode ?? child.signalCode}) before answering PING:\n${tail(output)}`,
			);
		if (Date.now() > deadline) {
			await stop();
			throw new Error(
				`redis-server did not answer PING on port ${redisPort} within ${readyTimeoutMs / 1000} s:\n${tail(output)}`,
			);
		}
		await new Promise((resolve) => setTimeout(resolve, 200));
	}
	return { host: '127.0.0.1', port: redisPort, pid: /** @type {number} */ (child.pid), stop };
}

module.exports = { ensureRedis, startRedis, REDIS_SERVER };
