#!/usr/bin/env node
// Build: tsc → dist/, then bundle the third-party libraries (@azure/msal-node, jose) into the single
// vendor module that imports them, so the published package has no runtime dependencies (n8n's
// community-node rules), then copy the icons and codex files.
const { execFileSync } = require('node:child_process');
const { rmSync, cpSync, readdirSync } = require('node:fs');
const path = require('node:path');
const esbuild = require('esbuild');

const root = path.resolve(__dirname, '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);

rmSync(path.join(root, 'dist'), { recursive: true, force: true });
try {
	execFileSync(bin('tsc'), ['-p', 'tsconfig.json'], { cwd: root, stdio: 'inherit' });
} catch {
	console.error('build: TypeScript reported errors (above).');
	process.exit(1);
}

esbuild.buildSync({
	entryPoints: [path.join(root, 'nodes/MicrosoftDefender/transport/vendor.ts')],
	outfile: path.join(root, 'dist/nodes/MicrosoftDefender/transport/vendor.js'),
	bundle: true,
	platform: 'node',
	format: 'cjs',
	target: 'node20',
	legalComments: 'eof',
	logLevel: 'warning',
});

execFileSync(bin('gulp'), ['build:icons', '--silent'], { cwd: root, stdio: 'inherit' });

for (const file of readdirSync(path.join(root, 'nodes/MicrosoftDefender'))) {
	if (file.endsWith('.node.json')) {
		cpSync(
			path.join(root, 'nodes/MicrosoftDefender', file),
			path.join(root, 'dist/nodes/MicrosoftDefender', file),
		);
	}
}
