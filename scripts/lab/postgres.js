// @ts-check
'use strict';
// PostgreSQL for n8n's queue mode. n8n supports queue mode on PostgreSQL only: on SQLite the main
// process and the workers write one database file from several processes without a busy timeout, and
// under load executions fail with "SQLITE_BUSY: database is locked" (seen with 2 workers × 5). The lab
// uses Debian's `postgresql` package (apt-get when missing) and starts a throw-away server of its own:
// a fresh data folder in /tmp, trust authentication, 127.0.0.1 only, durability off (test data).
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { freePort } = require('./n8n');
const { run, spawnGroup, stopGroup, tail } = require('./proc');
const { ensureDebianPackages } = require('./system');

/** The newest installed PostgreSQL server's bin folder (Debian: /usr/lib/postgresql/<major>/bin), or undefined. */
function postgresBin() {
	if (process.env.DEFENDER_POSTGRES_BIN) return process.env.DEFENDER_POSTGRES_BIN;
	const root = '/usr/lib/postgresql';
	if (!fs.existsSync(root)) return undefined;
	const majors = fs
		.readdirSync(root)
		.filter((name) => /^\d+$/.test(name) && fs.existsSync(path.join(root, name, 'bin', 'postgres')))
		.sort((a, b) => Number(b) - Number(a));
	return majors.length ? path.join(root, majors[0], 'bin') : undefined;
}

/**
 * Makes sure a PostgreSQL server is installed (Debian's `postgresql`, apt-get as root; its system
 * cluster, which containers forbid via policy-rc.d, is never used). Returns the server's bin folder.
 * @param {{ onProgress?: (message: string) => void }} [options]
 */
async function ensurePostgres({ onProgress } = {}) {
	await ensureDebianPackages({
		what: 'PostgreSQL',
		packages: ['postgresql'],
		missing: () => (postgresBin() ? [] : ['/usr/lib/postgresql/<major>/bin/postgres']),
		alternative: 'set DEFENDER_POSTGRES_BIN to the folder holding initdb and postgres',
		onProgress,
	});
	return /** @type {string} */ (postgresBin());
}

/**
 * Starts a throw-away PostgreSQL server on 127.0.0.1:`port` (a free one when omitted) with an empty
 * database `database`; resolves once it accepts connections. PostgreSQL refuses to run as root, so
 * as root it runs as the `postgres` user Debian's package creates. `stop()` ends it and removes its
 * data folder. `env` holds n8n's DB_* variables for it.
 * @param {{ port?: number, database?: string, readyTimeoutMs?: number, onProgress?: (message: string) => void }} [options]
 */
async function startPostgres({ port, database = 'n8n', readyTimeoutMs = 30_000, onProgress } = {}) {
	const bin = await ensurePostgres({ onProgress });
	const pgPort = port ?? (await freePort());
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'defender-postgres-'));
	const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
	/** Runs a PostgreSQL program as its own user. @param {string} program @param {string[]} args */
	const as = (program, args) =>
		asRoot
			? ['runuser', ['-u', 'postgres', '--', path.join(bin, program), ...args]]
			: [path.join(bin, program), args];
	if (asRoot) await run('chown', ['postgres:', dir], { timeoutMs: 10_000 });
	const data = path.join(dir, 'data');
	const [initCommand, initArgs] = /** @type {[string, string[]]} */ (
		as('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'])
	);
	await run(initCommand, initArgs, { timeoutMs: 60_000 });
	const [command, args] = /** @type {[string, string[]]} */ (
		as('postgres', [
			'-D',
			data,
			'-p',
			String(pgPort),
			'-c',
			'listen_addresses=127.0.0.1',
			'-c',
			`unix_socket_directories=${dir}`,
			// Test data: nothing needs to survive a crash.
			'-c',
			'fsync=off',
			'-c',
			'synchronous_commit=off',
			'-c',
			'full_page_writes=off',
			'-c',
			'max_connections=100',
		])
	);
	const child = spawnGroup(command, args);
	let output = '';
	child.stdout?.on('data', (chunk) => (output = (output + chunk).slice(-8000)));
	child.stderr?.on('data', (chunk) => (output = (output + chunk).slice(-8000)));
	const stop = async () => {
		await stopGroup(child, 10_000);
		fs.rmSync(dir, { recursive: true, force: true });
	};
	const deadline = Date.now() + readyTimeoutMs;
	for (;;) {
		if (child.exitCode !== null || child.signalCode !== null) {
			fs.rmSync(dir, { recursive: true, force: true });
			throw new Error(
				`postgres exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${tail(output)}`,
			);
		}
		const ready = await run(
			path.join(bin, 'pg_isready'),
			['-h', '127.0.0.1', '-p', String(pgPort), '-U', 'postgres'],
			{ timeoutMs: 10_000, allowFailure: true },
		);
		if (ready.code === 0) break;
		if (Date.now() > deadline) {
			await stop();
			throw new Error(
				`postgres did not accept connections on port ${pgPort} within ${readyTimeoutMs / 1000} s:\n${tail(output)}`,
			);
		}
		await new Promise((resolve) => setTimeout(resolve, 300));
	}
	await run(
		path.join(bin, 'createdb'),
		['-h', '127.0.0.1', '-p', String(pgPort), '-U', 'postgres', database],
		{ timeoutMs: 30_000 },
	);
	return {
		host: '127.0.0.1',
		port: pgPort,
		database,
		pid: /** @type {number} */ (child.pid),
		/** n8n's database variables for this server. */
		env: {
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: '127.0.0.1',
			DB_POSTGRESDB_PORT: String(pgPort),
			DB_POSTGRESDB_DATABASE: database,
			DB_POSTGRESDB_USER: 'postgres',
			DB_POSTGRESDB_PASSWORD: '',
		},
		stop,
	};
}

module.exports = { ensurePostgres, startPostgres };
