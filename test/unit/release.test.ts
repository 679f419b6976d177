import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';

// What the release depends on, read from the files a later edit could change: the workflows that
// publish with provenance, and what `npm pack` puts in the tarball.
const REPO = path.resolve(__dirname, '..', '..');

type Step = { uses?: string; run?: string; with?: Record<string, unknown> };
type Job = {
	uses?: string;
	needs?: string | string[];
	permissions?: Record<string, string>;
	steps?: Step[];
};
type Workflow = {
	on: Record<string, unknown>;
	permissions?: Record<string, string>;
	jobs: Record<string, Job>;
};

function workflow(name: string): Workflow {
	return parse(fs.readFileSync(path.join(REPO, '.github', 'workflows', name), 'utf8')) as Workflow;
}

const runs = (job: Job) => (job.steps ?? []).map((step) => step.run ?? '').join('\n');

describe('GitHub Actions workflows', () => {
	it('CI runs .ci/run on every push and pull request, and can be called by the publish workflow', () => {
		const ci = workflow('ci.yml');
		expect(Object.keys(ci.on)).toEqual(
			expect.arrayContaining(['push', 'pull_request', 'workflow_call']),
		);
		const jobs = Object.values(ci.jobs);
		expect(jobs.some((job) => /(^|\s)bash \.ci\/run(\s|$)/m.test(runs(job)))).toBe(true);
		const setupNode = jobs
			.flatMap((job) => job.steps ?? [])
			.find((step) => step.uses?.startsWith('actions/setup-node@'));
		expect(String(setupNode?.with?.['node-version'])).toBe('20');
	});

	it('publishes only version tags, after the CI suite, with provenance and an OIDC token instead of a stored npm token', () => {
		const publish = workflow('publish.yml');
		expect(Object.keys(publish.on)).toEqual(['push']);
		const push = publish.on.push as { tags?: string[]; branches?: string[] };
		expect(push.tags).toEqual(['v*']);
		expect(push.branches).toBeUndefined();

		const publishing = Object.values(publish.jobs).filter((job) => /npm publish/.test(runs(job)));
		expect(publishing).toHaveLength(1);
		const [job] = publishing;
		expect(runs(job)).toMatch(/npm publish --provenance --access public/);
		expect(job.permissions?.['id-token']).toBe('write');
		// The job's own permissions replace the workflow's: nothing beyond reading the repository.
		expect(job.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
		const setupNode = (job.steps ?? []).find((step) =>
			step.uses?.startsWith('actions/setup-node@'),
		);
		expect(setupNode?.with?.['registry-url']).toBe('https://registry.npmjs.org');
		expect(runs(job)).toMatch(/npm ci/);
		expect(runs(job)).toMatch(/npm run build/);

		// The full suite runs first: the CI workflow as a job the publish job needs.
		const needs = ([] as string[]).concat(job.needs ?? []);
		expect(needs.map((name) => publish.jobs[name]?.uses)).toContain('./.github/workflows/ci.yml');

		// Comments aside, nothing reads a stored token.
		expect(JSON.stringify(publish)).not.toMatch(/NPM_TOKEN|NODE_AUTH_TOKEN|secrets\./);
	});
});

describe('npm pack', () => {
	// A clean environment: under `npm test` npm exports npm_config_* variables (e.g. a dry run, or
	// ignore-scripts) that would change what a nested npm does.
	const env = Object.fromEntries(
		Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)),
	);

	it('holds only dist/, README.md, LICENSE, CHANGELOG.md and package.json, with every file n8n loads', async () => {
		const { stdout } = await promisify(execFile)(
			'npm',
			['pack', '--dry-run', '--json', '--ignore-scripts'],
			{ cwd: REPO, env, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 },
		);
		const [packed] = JSON.parse(stdout) as Array<{ files: Array<{ path: string }> }>;
		const files = packed.files.map((file) => file.path).sort();

		const topLevel = files.filter((file) => !file.startsWith('dist/'));
		expect(topLevel.sort()).toEqual(['CHANGELOG.md', 'LICENSE', 'README.md', 'package.json']);
		expect(
			files.filter((file) =>
				/(^|\/)(test|tests|emulator|fixtures|harness|bench|scripts|examples)(\/|$)|\.map$|\.ts$|\.pem$/.test(
					file,
				),
			),
		).toEqual([]);

		const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as {
			n8n: { nodes: string[]; credentials: string[] };
		};
		expect(files).toEqual(expect.arrayContaining([...pkg.n8n.nodes, ...pkg.n8n.credentials]));
		expect(files).toContain('dist/nodes/MicrosoftDefender/transport/vendor.js');
	});
});
