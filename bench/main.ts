/**
 * Entry of the benchmark bundle built by scripts/bench.js:
 *   `orchestrate` — hosts the emulator, runs every row, prints and writes the table;
 *   `run`         — one measured run in its own process, driven by the orchestrator over IPC.
 */
import { serveRun } from './ipc';
import { runScenario } from './scenarios';

const role = process.argv[2];
if (role === 'orchestrate') {
	// scripts/bench.js went away: stop too.
	process.on('disconnect', () => process.exit(2));
	// Loaded on demand, so that run processes do not load the emulator and n8n-core through it.
	import('./orchestrator')
		.then(({ orchestrate }) => orchestrate())
		.then(
			() => process.exit(0),
			(error: unknown) => {
				process.stderr.write(
					`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
				);
				process.exit(1);
			},
		);
} else if (role === 'run') {
	serveRun(runScenario);
} else {
	process.stderr.write('Run the benchmark with `npm run bench`.\n');
	process.exit(1);
}
