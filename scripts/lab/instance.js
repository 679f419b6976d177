// @ts-check
'use strict';
// The set-up `npm run demo` and the browser test share: the emulator seeded with the demo tenant,
// and a running n8n with this package, the credential and workflows imported and the owner created.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { ensureN8n } = require('./install');
const {
	packPackage,
	createN8nHome,
	n8nCli,
	publishWorkflowCli,
	startN8n,
	freePort,
} = require('./n8n');
const { startQueueBackends, startQueueMode } = require('./queue');
const { setupOwner, DEFAULT_OWNER } = require('./rest');
const { emulatorCredential, writeJson } = require('./workflows');

/**
 * The Defender emulator with `seedDemo()` (tenant contoso.example, an app with every permission,
 * 25 incidents, 3 devices) and the Custom-cloud credential record that points at it.
 * @param {{ latencyMs?: [number, number], credentialId?: string }} [options]
 */
async function startDemoEmulator({ latencyMs = [20, 80], credentialId = 'DemoDefenderCred' } = {}) {
	const { startEmulator } = require('../../test/emulator');
	const emu = await startEmulator({ port: 0, latencyMs });
	try {
		const demo = emu.seedDemo();
		const credential = emulatorCredential({
			id: credentialId,
			endpoints: emu,
			tenantId: demo.tenantId,
			clientId: demo.clientId,
			clientSecret: demo.clientSecret,
		});
		return { emu, demo, credential };
	} catch (error) {
		await emu.stop();
		throw error;
	}
}

/**
 * A running n8n with this package: n8n installed into the cache if needed, the package packed and
 * installed as a community package into a fresh user folder, `credentials` and `workflows`
 * imported with n8n's CLI (`publish`: workflow ids to publish), `n8n start` on loopback, the owner
 * account created and logged in. `stop()` stops n8n and removes the folders (`keep`: leave them).
 * With `queue`, n8n runs in queue mode instead (startQueueMode: Redis and PostgreSQL, started before
 * the imports, the main process as `server`, `queue.workers` workers), returned as `cluster`.
 * @param {{ credentials?: any[], workflows?: any[], publish?: string[], caFile?: string, port?: number,
 *   ignoreScripts?: boolean, owner?: typeof DEFAULT_OWNER, onProgress?: (message: string) => void,
 *   queue?: { workers?: number, concurrency?: number, env?: NodeJS.ProcessEnv, mainEnv?: NodeJS.ProcessEnv, workerEnv?: NodeJS.ProcessEnv } }} [options]
 *   ignoreScripts: pack without the prepack build (dist/ was just built)
 */
async function startLabN8n({
	credentials = [],
	workflows = [],
	publish = [],
	caFile,
	port,
	ignoreScripts = false,
	owner = DEFAULT_OWNER,
	onProgress = () => {},
	queue,
} = {}) {
	const started = Date.now();
	const seconds = () => `${Math.round((Date.now() - started) / 1000)} s`;
	const install = await ensureN8n({ onProgress });
	onProgress(`n8n ${install.version} in ${install.dir} (${seconds()})`);

	const tarball = await packPackage({ ignoreScripts });
	/** @type {string[]} */
	const dirs = [path.dirname(tarball)];
	/** @type {Awaited<ReturnType<typeof startN8n>> | undefined} */
	let server;
	/** @type {Awaited<ReturnType<typeof startQueueMode>> | undefined} */
	let cluster;
	/** @type {Awaited<ReturnType<typeof startQueueBackends>> | undefined} */
	let backends;
	const stop = async ({ keep = false } = {}) => {
		await (cluster ? cluster.stop() : server?.stop());
		if (!cluster) await backends?.stop();
		if (!keep) for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
	};
	try {
		const home = await createN8nHome(tarball);
		dirs.push(home);
		const work = fs.mkdtempSync(path.join(os.tmpdir(), 'defender-lab-'));
		dirs.push(work);
		onProgress(`${path.basename(tarball)} → ${home}/.n8n/nodes (${seconds()})`);

		// Queue mode: the database is PostgreSQL, which the CLI must reach too.
		if (queue) backends = await startQueueBackends({ onProgress });
		const cli = { env: backends?.env ?? {} };
		if (credentials.length)
			await n8nCli(
				home,
				['import:credentials', `--input=${writeJson(work, 'credentials.json', credentials)}`],
				cli,
			);
		if (workflows.length)
			await n8nCli(
				home,
				['import:workflow', `--input=${writeJson(work, 'workflows.json', workflows)}`],
				cli,
			);
		for (const id of publish) await publishWorkflowCli(home, id, cli);
		onProgress(
			`imported ${credentials.length} credential(s), ${workflows.length} workflow(s) (${seconds()})`,
		);

		if (queue) {
			cluster = await startQueueMode({ home, caFile, port, ...queue, backends, onProgress });
			server = cluster.main;
		} else server = await startN8n({ home, port: port ?? (await freePort()), caFile });
		const client = await setupOwner(server.url, owner);
		onProgress(`n8n at ${server.url} (PID ${server.pid}), owner ${owner.email} (${seconds()})`);
		return { install, tarball, home, work, server, cluster, client, owner, stop };
	} catch (error) {
		await stop();
		throw error;
	}
}

module.exports = { startDemoEmulator, startLabN8n };
