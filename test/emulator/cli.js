#!/usr/bin/env node
// @ts-check
'use strict';
// Runs the emulator as its own process: prints one JSON line with its URLs (and, with
// `--seed demo`, the demo tenant and app), then serves until SIGINT/SIGTERM.
//   node test/emulator/cli.js [--port N] [--latency MIN,MAX] [--seed demo]
const { parseArgs } = require('node:util');
const { startEmulator } = require('./index');

async function main() {
	const { values } = parseArgs({
		options: {
			port: { type: 'string', default: '0' },
			latency: { type: 'string', default: '0,0' },
			seed: { type: 'string' },
		},
	});
	if (values.seed !== undefined && values.seed !== 'demo')
		throw new Error(`Unknown seed '${values.seed}' (only 'demo')`);
	const [min, max] = values.latency.split(',').map(Number);
	const emu = await startEmulator({ port: Number(values.port), latencyMs: [min, max ?? min] });
	const demo = values.seed === 'demo' ? emu.seedDemo() : {};
	const { url, authorityUrl, defenderApiUrl, graphApiUrl, endpointApiUrl, controlUrl, caFile } =
		emu;
	process.stdout.write(
		`${JSON.stringify({ url, authorityUrl, defenderApiUrl, graphApiUrl, endpointApiUrl, controlUrl, caFile, ...demo })}\n`,
	);
	const shutdown = () => {
		emu.stop().then(() => process.exit(0));
	};
	process.once('SIGINT', shutdown);
	process.once('SIGTERM', shutdown);
}

main().catch((err) => {
	process.stderr.write(`${err.stack ?? err}\n`);
	process.exit(1);
});
