/**
 * The Jira sync example (examples/jira-sync.json) published in a real n8n, against the Defender
 * emulator and the Jira emulator (test/emulator/jira.js): n8n's own Jira Software node and Jira Trigger
 * (webhook registered with Jira, events delivered to n8n), the Defender triggers polling every minute.
 * Each change must cross once in each direction, and the writes to both systems must stop (no ping-pong).
 * Runs with the other end-to-end suites (`npm run e2e:n8n2`, DEFENDER_E2E=1).
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import * as lab from '../../scripts/lab';
import { startEmulator, type Emulator } from '../emulator';
import { startJiraEmulator } from '../emulator/jira';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const RUN = process.env.DEFENDER_E2E === '1';
const MINUTE = 60_000;
const WORKFLOW = 'E2eJiraSync00001';
const JIRA_CREDENTIAL = 'Jira SW Server account';
const progress = (message: string) => process.stderr.write(`[e2e sync] ${message}\n`);
const sleep = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `check` returns a value (not undefined), polling every second; fails after `timeoutMs`. */
async function until<T>(what: string, timeoutMs: number, check: () => T | undefined): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = check();
		if (value !== undefined) return value;
		if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s: ${what}`);
		await sleep(1000);
	}
}

(RUN ? describe : describe.skip)(`Jira sync example in a real n8n ${lab.N8N_VERSION}`, () => {
	const secret = `e2e~${randomUUID()}`;
	const jiraAccount = { email: 'n8n-sync@contoso.com', password: `jira~${randomUUID()}` };
	let emu: Emulator;
	let jira: Awaited<ReturnType<typeof startJiraEmulator>>;
	let home: string;
	let work: string;
	let server: Awaited<ReturnType<typeof lab.startN8n>>;
	let tenant: string;

	beforeAll(async () => {
		await lab.ensureN8n({ onProgress: progress });
		const tarball = await lab.packPackage({ ignoreScripts: true });
		home = await lab.createN8nHome(tarball);
		work = fs.mkdtempSync(path.join(os.tmpdir(), 'defender-e2e-sync-'));
		fs.rmSync(path.dirname(tarball), { recursive: true, force: true });
		emu = await startEmulator({ port: 0, latencyMs: [0, 0] });
		jira = await startJiraEmulator(jiraAccount);
		const clientId = emu.addApp({ secrets: [{ value: secret }] }).clientId;
		tenant = emu.addTenant({ domains: ['sync.example'] }).id;
		emu.consent({
			tenantId: tenant,
			clientId,
			roles: { graph: ['SecurityIncident.ReadWrite.All'] },
		});

		const defender = lab.emulatorCredential({
			id: 'E2eSyncDefender1',
			endpoints: {
				authorityUrl: emu.authorityUrl,
				defenderApiUrl: emu.defenderApiUrl,
				graphApiUrl: emu.graphApiUrl,
				endpointApiUrl: emu.endpointApiUrl,
			},
			tenantId: tenant,
			clientId,
			clientSecret: secret,
		});
		const jiraCredential = {
			id: 'E2eSyncJira00001',
			name: JIRA_CREDENTIAL,
			type: 'jiraSoftwareServerApi',
			data: { ...jiraAccount, domain: jira.url },
		};
		await lab.n8nCli(home, [
			'import:credentials',
			`--input=${lab.writeJson(work, 'credentials.json', [defender, jiraCredential])}`,
		]);
		// The example as imported, its Defender triggers every minute and reading from just before the test.
		const from = new Date(Date.now() - 5000).toISOString();
		const workflow = lab.forImport(lab.loadExample('jira-sync.json'), {
			id: WORKFLOW,
			mutate: (node: Json) => {
				if (node.credentials?.microsoftDefenderApi)
					node.credentials.microsoftDefenderApi = { id: defender.id, name: defender.name };
				if (node.credentials?.jiraSoftwareServerApi)
					node.credentials.jiraSoftwareServerApi = { id: jiraCredential.id, name: JIRA_CREDENTIAL };
				if (node.type === lab.DEFENDER_TRIGGER) {
					node.parameters.pollTimes = { item: [{ mode: 'everyMinute' }] };
					node.parameters.options = { ...node.parameters.options, backfillFrom: from };
				}
			},
		});
		await lab.n8nCli(home, [
			'import:workflow',
			`--input=${lab.writeJson(work, 'workflows.json', [workflow])}`,
		]);
		await lab.publishWorkflowCli(home, WORKFLOW);
		server = await lab.startN8n({ home, caFile: emu.caFile });
		await until('the Jira Trigger registered its webhook', MINUTE, () =>
			jira.webhooks().length > 0 ? true : undefined,
		);
		progress(`n8n at ${server.url}; webhook ${jira.webhooks()[0].url}`);
	}, 20 * MINUTE);

	afterAll(async () => {
		await server?.stop();
		await jira?.stop();
		await emu?.stop();
		if (process.env.DEFENDER_E2E_KEEP === '1') progress(`kept ${home} and ${work}`);
		else for (const dir of [home, work]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
	}, MINUTE);

	it(
		'each change crosses once in each direction, and the writes stop',
		async () => {
			const incidentOf = (id: number) => emu.getIncident(tenant, id) as NonNullable<Json>;
			const issueOf = (incidentId: number) =>
				jira
					.issues()
					.find((issue) => issue.fields.labels.includes(`defender-incident-${incidentId}`));
			const defenderWrites = () =>
				emu.requests
					.filter(
						(request) =>
							request.tenant === tenant &&
							request.api !== 'login' &&
							(request.method === 'PATCH' || request.method === 'POST'),
					)
					.map((request) => `${request.method} ${request.path}`);

			// 1. New incidents: High and Medium become issues (tagged back), Low does not.
			const high = emu.createIncident(tenant, {
				title: 'E2E sync: ransomware',
				severity: 'High',
				devices: ['ws-0301.contoso.local'],
			});
			const medium = emu.createIncident(tenant, {
				title: 'E2E sync: phishing',
				severity: 'Medium',
			});
			const low = emu.createIncident(tenant, { title: 'E2E sync: adware', severity: 'Low' });
			const [issueHigh, issueMedium] = await until(
				'issues for the High and Medium incidents',
				3 * MINUTE,
				() => {
					const both = [issueOf(high.id), issueOf(medium.id)];
					const tagged = [high, medium].every((incident, n) =>
						incidentOf(incident.id).tags.includes(`jira:${both[n]?.key}`),
					);
					return both.every(Boolean) && tagged ? (both as Json[]) : undefined;
				},
			);
			progress(`incidents ${high.id}, ${medium.id} → ${issueHigh.key}, ${issueMedium.key}`);
			expect(issueHigh.fields.summary).toBe(`[Defender ${high.id}] E2E sync: ransomware`);
			expect(issueHigh.fields.description).toContain('Severity: High');
			expect(issueHigh.fields.description).toContain(`/incidents/${high.id}`);
			expect(issueHigh.fields.description).toContain('Devices: ws-0301.contoso.local');
			expect(issueOf(low.id)).toBeUndefined();

			// 2. A person comments in Jira → the incident (webhook, at once).
			jira.comment(issueHigh.key, 'please isolate ws-0301', 'ann');
			const fromJira = `[Jira ${issueHigh.key}] ann: please isolate ws-0301`;
			await until('the Jira comment on the incident', MINUTE, () =>
				incidentOf(high.id).comments.some((c: Json) => c.comment === fromJira) ? true : undefined,
			);

			// 3. A person comments in the portal → the issue (next poll).
			emu.updateIncident(
				tenant,
				high.id,
				{ comment: 'isolated, collecting package' },
				'bob@contoso.com',
			);
			const fromDefender = '[Defender] bob@contoso.com: isolated, collecting package';
			await until('the portal comment on the issue', 3 * MINUTE, () =>
				issueOf(high.id)?.fields.comment.comments.some((c: Json) => c.body === fromDefender)
					? true
					: undefined,
			);

			// 4. The issue moved to Done in Jira → the incident Resolved (webhook).
			jira.resolve(issueHigh.key, 'ann');
			await until('the incident resolved from Jira', MINUTE, () =>
				incidentOf(high.id).status === 'Resolved' ? true : undefined,
			);
			expect(incidentOf(high.id).classification).toBe('TruePositive');

			// 5. The other incident resolved in the portal → its issue Done (next poll).
			emu.updateIncident(
				tenant,
				medium.id,
				{ status: 'Resolved', classification: 'FalsePositive' },
				'bob@contoso.com',
			);
			await until('the issue moved to Done from the portal', 3 * MINUTE, () =>
				issueOf(medium.id)?.fields.status.name === 'Done' ? true : undefined,
			);

			// Two more poll intervals: nothing may echo back.
			const settledDefender = defenderWrites();
			const settledJira = jira.writes();
			await sleep(2 * MINUTE + 15_000);
			expect(defenderWrites()).toEqual(settledDefender);
			expect(jira.writes()).toEqual(settledJira);

			// Each change crossed exactly once.
			expect(incidentOf(high.id).comments.map((c: Json) => c.comment)).toEqual([
				fromJira,
				'isolated, collecting package',
			]);
			expect(incidentOf(medium.id).comments).toEqual([]);
			expect(incidentOf(medium.id).classification).toBe('FalsePositive');
			expect(jira.issues()).toHaveLength(2);
			expect(issueOf(high.id)?.fields.comment.comments.map((c: Json) => c.body)).toEqual([
				'please isolate ws-0301',
				fromDefender,
			]);
			expect(issueOf(medium.id)?.fields.comment.comments).toEqual([]);
			// Defender: two tags, one comment, one resolve. Jira: the webhook, two issues, one comment, one
			// transition (with the Jira node's issue edit that follows it).
			const graphIncidents = '/graph/v1.0/security/incidents';
			expect(defenderWrites().sort()).toEqual(
				[
					`PATCH ${graphIncidents}/${high.id}`,
					`PATCH ${graphIncidents}/${medium.id}`,
					`POST ${graphIncidents}/${high.id}/comments`,
					`PATCH ${graphIncidents}/${high.id}`,
				].sort(),
			);
			expect(
				jira
					.writes()
					.map((write) => `${write.method} ${write.path}`)
					.sort(),
			).toEqual(
				[
					'POST /rest/webhooks/1.0/webhook',
					'POST /rest/api/2/issue',
					'POST /rest/api/2/issue',
					`POST /rest/api/2/issue/${issueHigh.key}/comment`,
					`POST /rest/api/2/issue/${issueMedium.key}/transitions`,
					`PUT /rest/api/2/issue/${issueMedium.key}`,
				].sort(),
			);
			const failed = jira.deliveries().filter((delivery) => delivery.status !== 200);
			expect(failed).toEqual([]);
		},
		14 * MINUTE,
	);
});
