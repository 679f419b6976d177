import * as fs from 'node:fs';
import * as path from 'node:path';

// The lab installs each n8n version with `npm ci` from scripts/lab/releases/<version>: a release
// missing a file, a lockfile out of step with its package.json, or an entry without its download
// address would send a fresh machine back to resolving ~2,450 packages one by one, or fail there.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { N8N_RELEASES } = require('../../scripts/lab/install') as {
	N8N_RELEASES: Record<string, { nodePackage: string }>;
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const lockfile = require('../../scripts/lab/lockfile') as {
	releaseFolder(version: string): string;
	addDownloadAddresses(lock: Lock): number;
	tarballUrl(key: string, entry: { name?: string; version: string }): string;
};

type Entry = {
	name?: string;
	version?: string;
	resolved?: string;
	integrity?: string;
	link?: boolean;
	inBundle?: boolean;
	dependencies?: Record<string, string>;
};
type Lock = { lockfileVersion?: number; packages: Record<string, Entry> };

const read = <T>(file: string) => JSON.parse(fs.readFileSync(file, 'utf8')) as T;

describe.each(Object.keys(N8N_RELEASES))('lab release n8n %s', (version) => {
	const folder = lockfile.releaseFolder(version);
	const manifest = read<{ dependencies: Record<string, string> }>(
		path.join(folder, 'package.json'),
	);
	const lock = read<Lock>(path.join(folder, 'package-lock.json'));

	it('pins n8n at exactly this version in package.json and the lockfile', () => {
		expect(manifest.dependencies).toEqual({ n8n: version });
		expect(lock.packages[''].dependencies).toEqual(manifest.dependencies);
		expect(lock.packages['node_modules/n8n'].version).toBe(version);
	});

	it('gives every registry package its download address and integrity', () => {
		const missing = Object.entries(lock.packages).filter(
			([key, entry]) =>
				key !== '' &&
				!entry.link &&
				!entry.inBundle &&
				!(entry.resolved?.startsWith('https://registry.npmjs.org/') && entry.integrity),
		);
		expect(missing.map(([key]) => key)).toEqual([]);
		expect(Object.keys(lock.packages).length).toBeGreaterThan(1000);
	});
});

describe('lockfile download addresses', () => {
	it('follows the registry layout for plain, scoped, nested and aliased packages', () => {
		expect(lockfile.tarballUrl('node_modules/bson', { version: '6.10.4' })).toBe(
			'https://registry.npmjs.org/bson/-/bson-6.10.4.tgz',
		);
		expect(lockfile.tarballUrl('node_modules/a/node_modules/@n8n/di', { version: '1.2.3' })).toBe(
			'https://registry.npmjs.org/@n8n/di/-/di-1.2.3.tgz',
		);
		expect(
			lockfile.tarballUrl('node_modules/xlsx', { name: '@e965/xlsx', version: '0.20.2' }),
		).toBe('https://registry.npmjs.org/@e965/xlsx/-/xlsx-0.20.2.tgz');
	});

	it('adds addresses only where one is missing and refuses an entry without integrity', () => {
		const lock: Lock = {
			packages: {
				'': { dependencies: { a: '1.0.0' } },
				'node_modules/a': { version: '1.0.0', integrity: 'sha512-x' },
				'node_modules/b': { version: '2.0.0', integrity: 'sha512-y', resolved: 'https://m/b.tgz' },
				'node_modules/c': { link: true },
			},
		};
		expect(lockfile.addDownloadAddresses(lock)).toBe(1);
		expect(lock.packages['node_modules/a'].resolved).toBe(
			'https://registry.npmjs.org/a/-/a-1.0.0.tgz',
		);
		expect(lock.packages['node_modules/b'].resolved).toBe('https://m/b.tgz');
		expect(() =>
			lockfile.addDownloadAddresses({ packages: { 'node_modules/d': { version: '1.0.0' } } }),
		).toThrow(/node_modules\/d@1.0.0 has no integrity/);
	});
});
