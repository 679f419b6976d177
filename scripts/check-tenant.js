#!/usr/bin/env node
'use strict';
// npm run check:tenant — compares what a real tenant answers with Microsoft's contracts
// (test/contracts), through this package's own code in dist/. Read only; prints a Markdown report
// for an issue. Configuration: DEFENDER_* environment variables (README, "Check a real tenant").
// Bundles test/tenant/checkTenant.ts (and the n8n harness it uses) with esbuild, as npm run bench does.
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { bundleTs, root } = require('./bundleTs');

/** The whole check is bounded: a read that hangs must not keep the script alive. */
const DEADLINE_MS = Number(process.env.DEFENDER_CHECK_DEADLINE_MS) || 10 * 60_000;

async function main() {
	if (
		!fs.existsSync(
			path.join(root, 'dist', 'nodes', 'MicrosoftDefender', 'MicrosoftDefender.node.js'),
		)
	) {
		process.stderr.write('check:tenant: dist/ is missing; run `npm run build` first.\n');
		return 2;
	}
	// The bundle lives under node_modules so that the packages it leaves external resolve from there.
	const cache = path.join(root, 'node_modules', '.cache');
	fs.mkdirSync(cache, { recursive: true });
	const work = fs.mkdtempSync(path.join(cache, 'defender-check-'));
	// n8n-core writes an instance key into its user folder: a temporary one, removed afterwards.
	const userFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'defender-check-n8n-'));
	process.env.N8N_USER_FOLDER = userFolder;
	// A key for this run only, so that n8n-core neither generates nor announces one.
	process.env.N8N_ENCRYPTION_KEY = crypto.randomBytes(24).toString('base64');
	try {
		const bundle = path.join(work, 'checkTenant.js');
		await bundleTs(path.join(root, 'test', 'tenant', 'checkTenant.ts'), bundle);
		const { checkTenant, report, ConfigError } = require(bundle);
		let results;
		try {
			results = await checkTenant(process.env);
		} catch (error) {
			if (!(error instanceof ConfigError)) throw error;
			process.stderr.write(
				`check:tenant: ${error.message} See README.md, "Check a real tenant".\n`,
			);
			return 2;
		}
		process.stdout.write(`${report(results, process.env)}\n`);
		return results.some((r) => r.outcome === 'checked' || r.outcome === 'answered') ? 0 : 1;
	} finally {
		fs.rmSync(work, { recursive: true, force: true });
		fs.rmSync(userFolder, { recursive: true, force: true });
	}
}

const deadline = setTimeout(() => {
	process.stderr.write(`check:tenant: no result within ${DEADLINE_MS / 1000} s; stopped.\n`);
	process.exit(3);
}, DEADLINE_MS);
deadline.unref();

main().then(
	(code) => process.exit(code),
	(error) => {
		process.stderr.write(
			`check:tenant: ${error instanceof Error ? error.message : String(error)}\n`,
		);
		process.exit(1);
	},
);
