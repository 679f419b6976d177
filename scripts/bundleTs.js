'use strict';
// Bundles a TypeScript entry (bench/, test/) with esbuild for a script that runs it outside jest
// (npm run bench, npm run check:tenant).
const fs = require('node:fs');
const path = require('node:path');
const esbuild = require('esbuild');

const root = path.resolve(__dirname, '..');

/**
 * TypeScript under bench/ and test/ is bundled; JavaScript reached by a relative path (dist/, the
 * emulator, test/contracts) stays external under its absolute path, so that it is loaded from where
 * it lives (one module instance, its own __dirname). `distDir` is where dist/ is loaded from (the
 * benchmark measures a copy taken when it starts, so that a rebuild during the run cannot pull it
 * away). `__dirname`/`__filename` in bundled TypeScript keep the values of the original file.
 * Packages stay external and resolve through NODE_PATH.
 */
const repoPaths = (distDir) => ({
	name: 'repo-paths',
	setup(build) {
		const dist = path.join(root, 'dist') + path.sep;
		build.onResolve({ filter: /^\.\.?\// }, (args) => {
			const base = path.resolve(args.resolveDir, args.path);
			for (const candidate of [
				base,
				`${base}.ts`,
				`${base}.js`,
				path.join(base, 'index.ts'),
				path.join(base, 'index.js'),
			]) {
				if (!fs.existsSync(candidate) || !fs.statSync(candidate).isFile()) continue;
				if (!candidate.endsWith('.js')) return { path: candidate };
				const target = candidate.startsWith(dist)
					? path.join(distDir, candidate.slice(dist.length))
					: candidate;
				return { path: target, external: true };
			}
			return undefined;
		});
		build.onLoad({ filter: /\.ts$/ }, (args) => {
			const text = fs.readFileSync(args.path, 'utf8');
			return {
				contents: text
					.replace(/\b__dirname\b/g, JSON.stringify(path.dirname(args.path)))
					.replace(/\b__filename\b/g, JSON.stringify(args.path)),
				loader: 'ts',
			};
		});
	},
});

/** Bundles `entry` (absolute path) into `outfile` as CommonJS for Node 20. */
async function bundleTs(entry, outfile, distDir = path.join(root, 'dist')) {
	await esbuild.build({
		entryPoints: [entry],
		outfile,
		bundle: true,
		packages: 'external',
		platform: 'node',
		format: 'cjs',
		target: 'node20',
		logLevel: 'warning',
		plugins: [repoPaths(distDir)],
	});
}

module.exports = { bundleTs, root };
