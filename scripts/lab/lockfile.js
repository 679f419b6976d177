// @ts-check
'use strict';
// The lab installs each n8n version from a committed package.json + package-lock.json
// (scripts/lab/releases/<version>/) with `npm ci`. Without a lockfile npm first resolves n8n's
// ~2,450 dependencies one metadata request after another: on a slow registry link that alone took
// over 45 minutes (CI, 2026-12-01). A lockfile whose entries carry their download address lets npm
// fetch every tarball directly, and pins the transitive versions a release was tested with.
//
//   node scripts/lab/lockfile.js <n8n version>   writes releases/<version>/package-lock.json
//
// The machine's npm may be set to leave download addresses out (omit-lockfile-registry-resolved);
// they are added from name and version, the registry's fixed tarball layout.
const fs = require('node:fs');
const path = require('node:path');

const RELEASES = path.join(__dirname, 'releases');
const REGISTRY = 'https://registry.npmjs.org';

/** The folder holding `version`'s package.json and package-lock.json. @param {string} version */
function releaseFolder(version) {
	return path.join(RELEASES, version);
}

/**
 * The registry tarball address of a lock entry: `<registry>/<name>/-/<unscoped name>-<version>.tgz`.
 * `key` is the entry's node_modules path; an aliased entry (npm:other@x) names its real package.
 * @param {string} key @param {{ name?: string, version: string }} entry
 */
function tarballUrl(key, entry) {
	const name = entry.name ?? key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length);
	return `${REGISTRY}/${name}/-/${name.split('/').pop()}-${entry.version}.tgz`;
}

/**
 * `lock` with a `resolved` address on every registry entry lacking one (links, the root and
 * bundled dependencies have none and need none). Returns how many were added.
 * @param {{ packages: Record<string, { name?: string, version?: string, resolved?: string, link?: boolean, inBundle?: boolean, integrity?: string }> }} lock
 */
function addDownloadAddresses(lock) {
	let added = 0;
	for (const [key, entry] of Object.entries(lock.packages)) {
		if (!key || entry.link || entry.inBundle || entry.resolved || !entry.version) continue;
		if (!entry.integrity)
			throw new Error(`${key}@${entry.version} has no integrity in the lockfile`);
		entry.resolved = tarballUrl(key, { ...entry, version: entry.version });
		added++;
	}
	return added;
}

/** Resolves `version`'s package.json into a lockfile with download addresses (needs the registry). */
async function writeLockfile(/** @type {string} */ version) {
	const { run } = require('./proc');
	const folder = releaseFolder(version);
	if (!fs.existsSync(path.join(folder, 'package.json')))
		throw new Error(`Write ${folder}/package.json first (see the other releases).`);
	await run(
		'npm',
		[
			'install',
			'--package-lock-only',
			'--ignore-scripts',
			'--no-audit',
			'--no-fund',
			'--loglevel=error',
		],
		{ cwd: folder, timeoutMs: 90 * 60_000 },
	);
	const file = path.join(folder, 'package-lock.json');
	const lock = JSON.parse(fs.readFileSync(file, 'utf8'));
	const added = addDownloadAddresses(lock);
	fs.writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
	return { file, entries: Object.keys(lock.packages).length - 1, added };
}

if (require.main === module) {
	const version = process.argv[2];
	if (!version) {
		process.stderr.write('usage: node scripts/lab/lockfile.js <n8n version>\n');
		process.exit(2);
	}
	writeLockfile(version).then(
		({ file, entries, added }) =>
			process.stdout.write(`${file}: ${entries} packages, ${added} download addresses added\n`),
		(error) => {
			process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
			process.exit(1);
		},
	);
}

module.exports = { releaseFolder, addDownloadAddresses, tarballUrl };
