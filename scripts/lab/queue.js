// @ts-check
'use strict';
// n8n in queue mode (shared/n8n-lab.md §9), n8n's own way past one machine: Redis, PostgreSQL, one
// main process (`n8n start`: editor, REST, webhooks, triggers and polls) and N workers (`n8n worker`)
// that run the executions. All share one user folder (installed community package), one database and
// one encryption key. Every process is its own process group and is stopped by `stop()`.
// PostgreSQL, not SQLite: n8n supports queue mode on PostgreSQL only, and on SQLite concurrent
// executions of several workers fail with "SQLITE_BUSY: database is locked" (see postgres.js).
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { startN8n, startN8nWorker } = require('./n8n');
const { startPostgres } = require('./postgres');
const { startRedis } = require('./redis');

/**
 * What queue mode needs besides n8n: Redis (the job queue) and PostgreSQL (the shared database).
 * `env`: the DB_* and QUEUE_BULL_* variables for every n8n process, the CLI included (start these
 * first when workflows are imported with the CLI before the servers start).
 * @param {{ onProgress?: (message: string) => void }} [options]
 */
async function startQueueBackends({ onProgress = () => {} } = {}) {
	const t0 = Date.now();
	const [redis, postgres] = await Promise.allSettled([
		startRedis(),
		startPostgres({ onProgress }),
	]).then(async (results) => {
		const failed = results.find((result) => result.status === 'rejected');
		if (failed) {
			for (const result of results) if (result.status === 'fulfilled') await result.value.stop();
			throw /** @type {PromiseRejectedResult} */ (failed).reason;
		}
		return /** @type {[Awaited<ReturnType<typeof startRedis>>, Awaited<ReturnType<typeof startPostgres>>]} */ (
			results.map((result) => /** @type {PromiseFulfilledResult<any>} */ (result).value)
		);
	});
	onProgress(
		`Redis on 127.0.0.1:${redis.port}, PostgreSQL on 127.0.0.1:${postgres.port} (${((Date.now() - t0) / 1000).toFixed(0)} s)`,
	);
	return {
		redis,
		postgres,
		env: {
			...postgres.env,
			QUEUE_BULL_REDIS_HOST: redis.host,
			QUEUE_BULL_REDIS_PORT: String(redis.port),
		},
		async stop() {
			await Promise.allSettled([redis.stop(), postgres.stop()]);
		},
	};
}

/**
 * The encryption key of `home`: the one n8n wrote into `<home>/.n8n/config` (e.g. when the CLI
 * imported credentials), else a new one written there. Main and workers must use the same key.
 * @param {string} home
 */
function encryptionKeyOf(home) {
	const file = path.join(home, '.n8n', 'config');
	try {
		const key = JSON.parse(fs.readFileSync(file, 'utf8')).encryptionKey;
		if (typeof key === 'string' && key !== '') return key;
	} catch {
		// no config yet
	}
	const key = crypto.randomBytes(24).toString('base64');
	fs.mkdirSync(path.dirname(file), { recursive: true });
	fs.writeFileSync(file, `${JSON.stringify({ encryptionKey: key }, null, '\t')}\n`, {
		mode: 0o600,
	});
	return key;
}

/**
 * The executions a worker took, from its log ("Worker started execution 12 (job 7)").
 * @param {{ readLog: () => string }} worker @returns {string[]} execution ids in start order
 */
function executionsStartedBy(worker) {
	return [...worker.readLog().matchAll(/Worker started execution (\d+) \(job [^)]*\)/g)].map(
		(match) => match[1],
	);
}

/**
 * Starts Redis and PostgreSQL (unless `backends` from startQueueBackends are given), then the main
 * process (ready = its /healthz/readiness), then `workers` workers in parallel, each
 * `n8n worker --concurrency=<concurrency>`; `port`: the main's HTTP port (else a free one). Manual
 * executions are offloaded to the workers too. `env` goes to every n8n process, `mainEnv`/`workerEnv`
 * to one side only. Logs: `<home>/n8n.log` (main) and `<home>/n8n-worker-<i>.log`. `stop()` stops
 * the workers, the main process and the back-ends (also given ones).
 * @param {{ home: string, port?: number, caFile?: string, workers?: number, concurrency?: number, env?: NodeJS.ProcessEnv,
 *   mainEnv?: NodeJS.ProcessEnv, workerEnv?: NodeJS.ProcessEnv, backends?: Awaited<ReturnType<typeof startQueueBackends>>,
 *   onProgress?: (message: string) => void }} options
 */
async function startQueueMode({
	home,
	port,
	caFile,
	workers = 2,
	concurrency = 5,
	env = {},
	mainEnv = {},
	workerEnv = {},
	backends,
	onProgress = () => {},
}) {
	/** @type {Array<() => Promise<void>>} stops, in start order */
	const started = [];
	const stop = async () => {
		// Workers first (they finish or hand back their jobs), then the main process, then Redis.
		const stops = started.splice(0).reverse();
		for (const stopOne of stops) {
			try {
				await stopOne();
			} catch {
				// already gone
			}
		}
	};
	try {
		const t0 = Date.now();
		const since = () => `${((Date.now() - t0) / 1000).toFixed(0)} s`;
		const back = backends ?? (await startQueueBackends({ onProgress }));
		started.push(back.stop);
		const queueEnv = {
			EXECUTIONS_MODE: 'queue',
			...back.env,
			N8N_ENCRYPTION_KEY: encryptionKeyOf(home),
			OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'true',
			...env,
		};
		const main = await startN8n({ home, port, caFile, env: { ...queueEnv, ...mainEnv } });
		started.push(main.stop);
		onProgress(`main (n8n start) ready at ${main.url} (${since()})`);
		// The main process has migrated the database; the workers can start together.
		const workerList = await Promise.all(
			Array.from({ length: workers }, async (_, index) => {
				const worker = await startN8nWorker({
					home,
					caFile,
					concurrency,
					logFile: path.join(home, `n8n-worker-${index + 1}.log`),
					env: { ...queueEnv, ...workerEnv },
				});
				started.push(worker.stop);
				return { name: `worker-${index + 1}`, ...worker };
			}),
		);
		onProgress(`${workers} worker(s) ready, concurrency ${concurrency} each (${since()})`);
		return {
			redis: back.redis,
			postgres: back.postgres,
			main,
			workers: workerList,
			/** The variables every process got (queue mode, Redis, database, encryption key). */
			queueEnv,
			/** Which worker started each execution so far: execution id → worker name. */
			executionWorkers() {
				/** @type {Map<string, string>} */
				const owners = new Map();
				for (const worker of workerList)
					for (const id of executionsStartedBy(worker)) owners.set(id, worker.name);
				return owners;
			},
			stop,
		};
	} catch (error) {
		await stop();
		throw error;
	}
}

module.exports = { startQueueBackends, startQueueMode, encryptionKeyOf, executionsStartedBy };
