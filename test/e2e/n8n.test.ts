/**
 * End to end in a real n8n (the lab's version: 2.41.1, or DEFENDER_N8N_VERSION, e.g. 1.123.81 in
 * `npm run e2e:n8n1`): the packed package installed as a community package, the
 * example workflows imported and run by n8n's CLI, the credential Test through n8n's REST API, and
 * the trigger polling in a running `n8n start` — all against the Defender emulator, with a local
 * chat-webhook sink instead of Slack/Teams.
 *
 * Slow and heavy (the first run installs n8n into a cache, ~5–10 minutes), so it runs only through
 * `npm run test:e2e`, which sets DEFENDER_E2E=1; plain `npm test` skips it.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import * as lab from '../../scripts/lab';
import { startEmulator, type Emulator } from '../emulator';

interface Incident {
	id: number;
	title: string;
	severity: string;
	status: string;
	assignedTo: string | null;
	lastUpdateTime: string;
	comments: Array<{ comment: string; createdBy: string }>;
}
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const RUN = process.env.DEFENDER_E2E === '1';
const MINUTE = 60_000;
const ROLES = {
	xdr: ['Incident.ReadWrite.All', 'AdvancedHunting.Read.All'],
	graph: ['SecurityIncident.ReadWrite.All', 'ThreatHunting.Read.All'],
	mde: ['Machine.Read.All', 'Machine.Isolate', 'Ti.ReadWrite.All'],
};
/** The investigation example's tenant: what its sticky note asks for. */
const INVESTIGATE_ROLES = {
	graph: ['SecurityIncident.ReadWrite.All'],
	mde: ['Machine.Read.All', 'File.Read.All', 'Machine.LiveResponse', 'Vulnerability.Read.All'],
};
const TRIGGER_CREDENTIAL = 'Microsoft Defender (trigger tenant)';
const WRONG_CREDENTIAL = 'Microsoft Defender (wrong secret)';
const WF = {
	wrongSecret: 'E2eWrongSecret01',
	aiResponses: 'E2eAiTriageResp1',
	aiChat: 'E2eAiTriageChat1',
	triageGraph: 'E2eTriageGraph01',
	triageXdr: 'E2eTriageXdr0001',
	triageTeams: 'E2eTriageTeams01',
	digest: 'E2eDailyDigest01',
	report: 'E2eHuntReport001',
	trigger: 'E2eTriggerFlow01',
	respond: 'E2eRespond000001',
	customGraph: 'E2eCustomGraph01',
	customXdr: 'E2eCustomXdr0001',
	customForeign: 'E2eCustomForeign',
	investigate: 'E2eInvestigate01',
	approval: 'E2eApproval00001',
	mssp: 'E2eMsspReport001',
	phishGraph: 'E2ePhishGraph001',
	phishXdr: 'E2ePhishXdr00001',
	vulnSla: 'E2eVulnSla000001',
	isolateProtected: 'E2eIsolateProt01',
	isolatePlain: 'E2eIsolatePlain1',
};
const APPROVAL_CREDENTIAL = 'Microsoft Defender (approval tenant, protected devices)';
const PROTECTING_CREDENTIAL = 'Microsoft Defender (srv-db01* protected)';
const TRIAGE_TRIGGER = 'New High/Medium Incident';
const progress = (message: string) => process.stderr.write(`[e2e] ${message}\n`);

(RUN ? describe : describe.skip)(`the package in a real n8n ${lab.N8N_VERSION}`, () => {
	const secret = `e2e~${randomUUID()}`;
	const startedAt = new Date(Date.now() - 2000).toISOString();
	let emu: Emulator;
	let sink: Awaited<ReturnType<typeof lab.startChatSink>>;
	let home: string;
	let work: string;
	let server: Awaited<ReturnType<typeof lab.startN8n>>;
	let client: Awaited<ReturnType<typeof lab.setupOwner>>;
	let clientId: string;
	let credential: ReturnType<typeof lab.emulatorCredential>;
	// Tenant 1: the headless runs. Tenant 2: the published trigger, so the two never see each other's changes.
	let t1: string;
	let t2: string;
	// Tenant 3: the containment example, reached through the node option Tenant ID (one app, many tenants).
	let t3: string;
	// Tenant 4: the investigation example (live response, file statistics, vulnerabilities), also through Tenant ID.
	let t4: string;
	let investigated: { id: string; computerDnsName: string };
	// Tenant 5: the AI Agent's Defender tools, reached through the node option Tenant ID.
	let t5: string;
	// Tenant 6: the approval example, published, with a credential that protects the devices tagged VIP.
	let t6: string;
	// Tenant 7: the triage example posting Teams cards, one incident with a hostile, long title and eight devices.
	let t7: string;
	// Tenant 8: n8n's own HTTP Request node isolating devices with a credential that protects srv-db01*.
	let t8: string;
	let dbServer: { id: string };
	let workstation: { id: string };
	const hostileTitle =
		'E2E <at>SOC</at> <!channel> *bold* [link](https://evil.example) {{DATE(2026-01-01T00:00:00Z, SHORT)}} ' +
		'very long '.repeat(60);
	// The MSSP report's customers: Fabrikam (incidents, isolations), Tailspin (nothing open), and
	// Contoso, whose administrator removed the app (Entra answers AADSTS7000229).
	const mssp = { fabrikam: '', tailspin: '', contoso: '' };
	// The phishing example, published, once per API, each in its own tenant with a user-reported message.
	const phish = { graph: '', defenderXdr: '' };
	const phished: Record<string, ReturnType<Emulator['seedPhishingIncident']>> = {};
	// The vulnerability SLA example's tenant: exploitable CVEs on devices in two device groups and one in none.
	let vulnSla: string;
	const slaDevices: Record<string, string> = {};
	const inc: Record<string, Incident> = {};
	const execute = (id: string) =>
		lab.executeWorkflow(home, id, { caFile: emu.caFile, timeoutMs: 3 * MINUTE });

	beforeAll(async () => {
		const started = Date.now();
		await lab.ensureN8n({ onProgress: progress });
		progress(
			`n8n ready (${Math.round((Date.now() - started) / 1000)} s); packing and installing the package`,
		);
		const tarball = await lab.packPackage({ ignoreScripts: true }); // npm run test:e2e has just built dist/
		home = await lab.createN8nHome(tarball);
		work = fs.mkdtempSync(path.join(os.tmpdir(), 'defender-e2e-'));
		fs.rmSync(path.dirname(tarball), { recursive: true, force: true });

		emu = await startEmulator({ port: 0, latencyMs: [0, 0] });
		sink = await lab.startChatSink();
		clientId = emu.addApp({ secrets: [{ value: secret }] }).clientId;
		t1 = emu.addTenant({ domains: ['fabrikam.example'] }).id;
		t2 = emu.addTenant({ domains: ['tailspin.example'] }).id;
		t3 = emu.addTenant({ domains: ['woodgrove.example'] }).id;
		t5 = emu.addTenant({ domains: ['northwind.example'] }).id;
		t6 = emu.addTenant({ domains: ['adatum.example'] }).id;
		t7 = emu.addTenant({ domains: ['litware.example'] }).id;
		t8 = emu.addTenant({ domains: ['proseware.example'] }).id;
		for (const tenantId of [t1, t2, t3, t5, t6, t7, t8])
			emu.consent({ tenantId, clientId, roles: ROLES });
		inc.teams = emu.createIncident(t7, {
			title: hostileTitle,
			severity: 'High',
			devices: Array.from({ length: 8 }, (_, n) => `ws-08${n}.contoso.local`),
		});
		// Approve isolates, reject does not, and a protected device is refused even when approved.
		inc.approve = emu.createIncident(t6, {
			title: 'E2E approve me',
			severity: 'High',
			devices: ['ws-approve.contoso.local'],
			createdTime: Date.now() - 3000,
		});
		inc.reject = emu.createIncident(t6, {
			title: 'E2E reject me',
			severity: 'High',
			devices: ['ws-reject.contoso.local'],
			createdTime: Date.now() - 2000,
		});
		inc.vip = emu.createIncident(t6, {
			title: 'E2E <!channel> *VIP* laptop',
			severity: 'High',
			devices: ['ceo-laptop.contoso.local'],
			createdTime: Date.now() - 1000,
		});
		for (const dnsName of ['ws-approve.contoso.local', 'ws-reject.contoso.local'])
			emu.addMachine(t6, { computerDnsName: dnsName, osPlatform: 'Windows11' });
		emu.addMachine(t6, {
			computerDnsName: 'ceo-laptop.contoso.local',
			osPlatform: 'Windows11',
			machineTags: ['VIP'],
		});
		dbServer = emu.addMachine(t8, { computerDnsName: 'srv-db01.contoso.local' });
		workstation = emu.addMachine(t8, { computerDnsName: 'ws-0300.contoso.local' });
		inc.contain = emu.createIncident(t3, {
			title: 'E2E ransomware to contain',
			severity: 'High',
			devices: ['fin-laptop-7.contoso.local'],
		});
		emu.createIncident(t3, {
			title: 'E2E medium, left alone',
			severity: 'Medium',
			devices: ['ws-0102.contoso.local'],
		});
		emu.addMachine(t3, { computerDnsName: 'fin-laptop-7.contoso.local', osPlatform: 'Windows11' });
		inc.ai1 = emu.createIncident(t5, {
			title: 'E2E AI: credential theft on ws-0101',
			severity: 'High',
			devices: ['ws-0101.contoso.local'],
		});
		inc.ai2 = emu.createIncident(t5, {
			title: 'E2E AI: suspicious sign-ins',
			severity: 'Medium',
			devices: ['srv-db01.contoso.local'],
		});
		emu.setActionTimeline({ pendingMs: 500, inProgressMs: 500, outcome: 'Succeeded' });

		t4 = emu.addTenant({ domains: ['contoso-investigate.example'] }).id;
		emu.consent({ tenantId: t4, clientId, roles: INVESTIGATE_ROLES });
		inc.investigate = emu.createIncident(t4, {
			title: 'E2E suspicious PowerShell',
			severity: 'High',
			devices: ['ws-0200.contoso.local'],
		});
		investigated = emu.addMachine(t4, { computerDnsName: 'ws-0200.contoso.local' });
		const suspicious = (inc.investigate as ReturnType<Emulator['createIncident']>).alerts[0]
			.process;
		emu.addFile(t4, {
			sha1: suspicious.sha1,
			sha256: suspicious.sha256,
			machineIds: [investigated.id],
			globalPrevalence: 3,
		});
		emu.addLibraryFile(t4, { fileName: 'collect-triage.ps1', content: 'Get-ScheduledTask' });
		emu.setScriptResult(t4, 'collect-triage.ps1', {
			exit_code: 0,
			script_output: '3 scheduled tasks',
		});
		emu.setDeviceFile(
			t4,
			investigated.id,
			`C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\${suspicious.fileName}`,
			'MZ e2e sample',
		);
		emu.addVulnerability(t4, {
			id: 'CVE-2026-2001',
			severity: 'Critical',
			machineIds: [investigated.id],
		});
		emu.addVulnerability(t4, {
			id: 'CVE-2026-2002',
			severity: 'High',
			machineIds: [investigated.id],
		});

		// The DeviceProcessEvents table every emulated tenant has: ws-0101 2 rows, ws-0102 2, srv-db01 1.
		inc.high = emu.createIncident(t1, {
			title: 'E2E ransomware on ws-0101',
			severity: 'High',
			devices: ['ws-0101.contoso.local'],
		});
		inc.medium = emu.createIncident(t1, {
			title: 'E2E lateral movement',
			severity: 'Medium',
			devices: ['srv-db01.contoso.local', 'ws-0102.contoso.local'],
		});
		inc.low = emu.createIncident(t1, {
			title: 'E2E adware',
			severity: 'Low',
			devices: ['ws-0102.contoso.local'],
		});
		const threeDaysAgo = Date.now() - 72 * 3_600_000;
		inc.old = emu.createIncident(t1, {
			title: 'E2E old one',
			severity: 'High',
			status: 'Resolved',
			createdTime: threeDaysAgo,
			lastUpdateTime: threeDaysAgo,
		});

		// The trigger's tenant: one incident before its Back-Fill From, then two High/Medium and one Low after it.
		inc.x0 = emu.createIncident(t2, {
			title: 'Before back-fill',
			severity: 'High',
			createdTime: Date.now() - 2 * 3_600_000,
		});
		inc.x1 = emu.createIncident(t2, {
			title: 'Trigger high',
			severity: 'High',
			devices: ['ws-0101.contoso.local'],
		});
		inc.x2 = emu.createIncident(t2, {
			title: 'Trigger medium',
			severity: 'Medium',
			devices: ['srv-db01.contoso.local'],
		});
		inc.x3 = emu.createIncident(t2, {
			title: 'Trigger low',
			severity: 'Low',
			devices: ['ws-0102.contoso.local'],
		});

		mssp.fabrikam = emu.addTenant({ domains: ['fabrikam-mssp.example'] }).id;
		mssp.tailspin = emu.addTenant({ domains: ['tailspin-mssp.example'] }).id;
		mssp.contoso = emu.addTenant({ domains: ['contoso-mssp.example'] }).id;
		for (const tenantId of Object.values(mssp)) emu.consent({ tenantId, clientId, roles: ROLES });
		emu.revokeConsent({ tenantId: mssp.contoso, clientId });
		const hour = 3_600_000;
		inc.msspOldest = emu.createIncident(mssp.fabrikam, {
			title: 'E2E MSSP <!channel> oldest unassigned',
			severity: 'High',
			createdTime: Date.now() - 72 * hour,
		});
		inc.msspAssigned = emu.createIncident(mssp.fabrikam, {
			title: 'E2E MSSP older but assigned',
			severity: 'Medium',
			status: 'InProgress',
			assignedTo: 'analyst@fabrikam.example',
			createdTime: Date.now() - 96 * hour,
		});
		inc.msspNew = emu.createIncident(mssp.fabrikam, {
			title: 'E2E MSSP new',
			severity: 'High',
			createdTime: Date.now() - hour,
		});
		inc.msspResolved = emu.createIncident(mssp.fabrikam, {
			title: 'E2E MSSP resolved',
			severity: 'Low',
			status: 'Resolved',
			createdTime: Date.now() - 120 * hour,
		});
		for (const dnsName of ['pos-12.fabrikam.local', 'ws-old.fabrikam.local'])
			emu.addMachine(mssp.fabrikam, { computerDnsName: dnsName });
		emu.addMachineAction(mssp.fabrikam, {
			machineId: 'pos-12.fabrikam.local',
			type: 'Isolate',
			createdTime: Date.now() - 2 * hour,
		});
		emu.addMachineAction(mssp.fabrikam, {
			machineId: 'ws-old.fabrikam.local',
			type: 'Isolate',
			createdTime: Date.now() - 30 * hour,
		});
		emu.addMachineAction(mssp.fabrikam, {
			machineId: 'ws-old.fabrikam.local',
			type: 'RunAntiVirusScan',
			createdTime: Date.now() - hour,
		});

		for (const api of ['graph', 'defenderXdr'] as const) {
			phish[api] = emu.addTenant({ domains: [`phish-${api.toLowerCase()}.example`] }).id;
			emu.consent({ tenantId: phish[api], clientId, roles: ROLES });
			phished[api] = emu.seedPhishingIncident(phish[api], {
				sender: `billing@invoices-${api.toLowerCase()}.example`,
				url: `https://invoices-${api.toLowerCase()}.example/pay?id=7`,
			});
		}
		vulnSla = emu.addTenant({ domains: ['adatum-vuln.example'] }).id;
		emu.consent({ tenantId: vulnSla, clientId, roles: { mde: ['Vulnerability.Read.All'] } });
		for (const [dnsName, rbacGroupName] of [
			['srv-web01.adatum.local', 'Servers'],
			['srv-db02.adatum.local', 'Servers'],
			['ws-0201.adatum.local', 'Workstations'],
			['ws-0202.adatum.local', 'Workstations'],
			['kiosk-01.adatum.local', null],
		] as const)
			slaDevices[dnsName] = emu.addMachine(vulnSla, {
				computerDnsName: dnsName,
				rbacGroupName,
				rbacGroupId: rbacGroupName === null ? null : rbacGroupName === 'Servers' ? 1 : 2,
			}).id;
		const daysAgo = (days: number) =>
			new Date(Date.now() - days * 86_400_000 - 3_600_000).toISOString();
		// Critical with a public exploit, 20 days old (SLA 15): past SLA.
		emu.addVulnerability(vulnSla, {
			id: 'CVE-2026-3001',
			severity: 'Critical',
			publishedOn: daysAgo(20),
			publicExploit: true,
			machineIds: [slaDevices['srv-web01.adatum.local'], slaDevices['ws-0201.adatum.local']],
		});
		// High with a verified exploit, 10 days old (SLA 30): within SLA.
		emu.addVulnerability(vulnSla, {
			id: 'CVE-2026-3002',
			severity: 'High',
			publishedOn: daysAgo(10),
			exploitVerified: true,
			machineIds: [slaDevices['srv-db02.adatum.local'], slaDevices['kiosk-01.adatum.local']],
		});
		// Left out: Critical without a known exploit, Medium with one, High with an exploit kit on no device.
		emu.addVulnerability(vulnSla, {
			id: 'CVE-2026-3003',
			severity: 'Critical',
			publishedOn: daysAgo(40),
			machineIds: [slaDevices['srv-web01.adatum.local']],
		});
		emu.addVulnerability(vulnSla, {
			id: 'CVE-2026-3004',
			severity: 'Medium',
			publishedOn: daysAgo(90),
			publicExploit: true,
			machineIds: [slaDevices['ws-0201.adatum.local']],
		});
		emu.addVulnerability(vulnSla, {
			id: 'CVE-2026-3005',
			severity: 'High',
			publishedOn: daysAgo(5),
			exploitInKit: true,
		});

		// An incident without email evidence: the phishing flow skips it.
		inc.phishSkipped = emu.createIncident(phish.graph, {
			title: 'E2E no email here',
			severity: 'High',
			devices: ['ws-0101.contoso.local'],
		});

		const endpoints = {
			authorityUrl: emu.authorityUrl,
			defenderApiUrl: emu.defenderApiUrl,
			graphApiUrl: emu.graphApiUrl,
			endpointApiUrl: emu.endpointApiUrl,
		};
		credential = lab.emulatorCredential({
			id: 'E2eDefenderCred1',
			endpoints,
			tenantId: t1,
			clientId,
			clientSecret: secret,
			quotaWindowSeconds: 60,
		});
		const triggerCredential = lab.emulatorCredential({
			id: 'E2eDefenderCred2',
			name: TRIGGER_CREDENTIAL,
			endpoints,
			tenantId: t2,
			clientId,
			clientSecret: secret,
		});
		const wrongCredential = lab.emulatorCredential({
			id: 'E2eDefenderCred3',
			name: WRONG_CREDENTIAL,
			endpoints,
			tenantId: t1,
			clientId,
			clientSecret: 'not-the-secret',
		});
		const approvalCredential = lab.emulatorCredential({
			id: 'E2eDefenderCred4',
			name: APPROVAL_CREDENTIAL,
			endpoints,
			tenantId: t6,
			clientId,
			clientSecret: secret,
		});
		approvalCredential.data = {
			...approvalCredential.data,
			protectedDevices: 'tag:vip\nname:dc*',
		} as typeof approvalCredential.data;
		const protectingCredential = lab.emulatorCredential({
			id: 'E2eDefenderCred5',
			name: PROTECTING_CREDENTIAL,
			endpoints,
			tenantId: t8,
			clientId,
			clientSecret: secret,
		});
		protectingCredential.data = {
			...protectingCredential.data,
			protectedDevices: 'name:srv-db01*',
		} as typeof protectingCredential.data;
		const openAi = lab.openAiCredential({ id: 'E2eOpenAiCred001', baseUrl: emu.openAiBaseUrl });
		await lab.n8nCli(home, [
			'import:credentials',
			`--input=${lab.writeJson(work, 'credentials.json', [credential, triggerCredential, wrongCredential, approvalCredential, protectingCredential, openAi])}`,
		]);

		// The examples as users import them (placeholder credential id: n8n maps it by name), with the
		// chat webhook pointed at the sink and, where n8n's CLI needs it, a Manual Trigger.
		const triage = lab.loadExample('incident-triage.json');
		const newSince = { filters: { createdAfter: startedAt } };
		const toXdr = (node: Json) => {
			if (node.type === lab.DEFENDER) node.parameters.api = 'defenderXdr';
		};
		// The AI example as is (its OpenAI Chat Model on the Responses API), and with Chat Completions.
		const aiTriage = (chatCompletions: boolean) => (node: Json) => {
			if (node.type === `${lab.DEFENDER}Tool`)
				node.parameters.options = { ...node.parameters.options, tenantId: t5 };
			if (chatCompletions && node.type === '@n8n/n8n-nodes-langchain.lmChatOpenAi')
				node.parameters.responsesApiEnabled = false;
		};
		const workflows = [
			lab.forImport(lab.loadExample('ai-triage.json'), {
				id: WF.aiResponses,
				name: 'E2E AI triage (Responses API)',
				mutate: aiTriage(false),
			}),
			lab.forImport(lab.loadExample('ai-triage.json'), {
				id: WF.aiChat,
				name: 'E2E AI triage (Chat Completions)',
				mutate: aiTriage(true),
			}),
			lab.forImport(lab.manualVariant(triage, { getMany: newSince }), {
				id: WF.triageGraph,
				name: 'E2E triage (Graph)',
				webhookUrl: sink.urlFor('triage-graph'),
			}),
			lab.forImport(lab.manualVariant(triage, { getMany: { ...newSince, api: 'defenderXdr' } }), {
				id: WF.triageXdr,
				name: 'E2E triage (Defender XDR API)',
				webhookUrl: sink.urlFor('triage-xdr'),
				mutate: toXdr,
			}),
			// The same triage with Chat Message Format set to Microsoft Teams, as a Teams Workflows webhook takes it.
			lab.forImport(lab.manualVariant(triage, { getMany: newSince }), {
				id: WF.triageTeams,
				name: 'E2E triage (Teams)',
				webhookUrl: sink.urlFor('triage-teams'),
				mutate: (node: Json) => {
					if (node.type !== lab.DEFENDER) return;
					node.parameters.options = { ...node.parameters.options, tenantId: t7 };
					if (node.name === TRIAGE_TRIGGER) node.parameters.options.chatMessageFormat = 'teams';
				},
			}),
			lab.forImport(lab.manualVariant(lab.loadExample('daily-digest.json')), {
				id: WF.digest,
				webhookUrl: sink.urlFor('digest'),
			}),
			lab.forImport(lab.loadExample('hunting-report.json'), {
				id: WF.report,
				webhookUrl: sink.urlFor('report'),
			}),
			lab.forImport(lab.loadExample('hunting-report.json'), {
				id: WF.wrongSecret,
				name: 'E2E hunting report with a wrong secret',
				webhookUrl: sink.urlFor('wrong-secret'),
				mutate: (node: Json) => {
					if (node.credentials?.microsoftDefenderApi)
						node.credentials.microsoftDefenderApi = { id: 'UNKNOWN', name: WRONG_CREDENTIAL };
				},
			}),
			lab.forImport(
				lab.manualVariant(lab.loadExample('respond-to-incident.json'), { getMany: newSince }),
				{
					id: WF.respond,
					name: 'E2E contain High incidents',
					webhookUrl: sink.urlFor('respond'),
					mutate: (node: Json) => {
						if (node.type === lab.DEFENDER)
							node.parameters.options = { ...node.parameters.options, tenantId: t3 };
					},
				},
			),
			lab.forImport(
				lab.manualVariant(lab.loadExample('investigate-device.json'), { getMany: newSince }),
				{
					id: WF.investigate,
					name: 'E2E investigate device',
					webhookUrl: sink.urlFor('investigate'),
					mutate: (node: Json) => {
						if (node.type === lab.DEFENDER)
							node.parameters.options = { ...node.parameters.options, tenantId: t4 };
					},
				},
			),
			// The triage flow itself, published: its trigger every minute, from a Back-Fill From just before the test.
			lab.forImport(triage, {
				id: WF.trigger,
				name: 'E2E triage (published trigger)',
				webhookUrl: sink.urlFor('trigger'),
				mutate: (node: Json) => {
					if (node.credentials?.microsoftDefenderApi)
						node.credentials.microsoftDefenderApi = { id: 'UNKNOWN', name: TRIGGER_CREDENTIAL };
					if (node.type === lab.DEFENDER_TRIGGER) {
						node.parameters.pollTimes = { item: [{ mode: 'everyMinute' }] };
						node.parameters.options.backfillFrom = new Date(Date.now() - MINUTE).toISOString();
					}
				},
			}),
			// The node's "Custom API Call": n8n's HTTP Request node with this credential, for any URL under its APIs.
			lab.customApiCallWorkflow({
				id: WF.customGraph,
				name: 'E2E Custom API Call (Graph)',
				url: `${emu.graphApiUrl}/v1.0/security/incidents`,
				credential,
				query: { $top: '2' },
			}),
			lab.customApiCallWorkflow({
				id: WF.customXdr,
				name: 'E2E Custom API Call (Defender XDR API)',
				url: `${emu.defenderApiUrl}/api/incidents`,
				credential,
			}),
			lab.customApiCallWorkflow({
				id: WF.customForeign,
				name: 'E2E Custom API Call (foreign URL)',
				url: `${sink.urlFor('custom-foreign')}`,
				credential,
			}),
			// The MSSP report with three customer tenants, the unreachable one in the middle.
			lab.forImport(lab.manualVariant(lab.loadExample('mssp-morning-report.json')), {
				id: WF.mssp,
				name: 'E2E MSSP morning report',
				webhookUrl: sink.urlFor('mssp'),
				mutate: (node: Json) => {
					if (node.name !== 'Customer Tenants') return;
					const tenants = [
						{ name: 'Fabrikam', tenantId: mssp.fabrikam, webhookUrl: sink.urlFor('mssp-fabrikam') },
						{ name: 'Contoso', tenantId: mssp.contoso, webhookUrl: sink.urlFor('mssp-contoso') },
						{ name: 'Tailspin', tenantId: mssp.tailspin, webhookUrl: sink.urlFor('mssp-tailspin') },
					];
					node.parameters.assignments.assignments[0].value = `={{ ${JSON.stringify(tenants)} }}`;
				},
			}),
			// The vulnerability SLA with three owners' channels (Servers, Workstations, the rest) in its own tenant.
			lab.forImport(lab.manualVariant(lab.loadExample('vulnerability-sla.json')), {
				id: WF.vulnSla,
				name: 'E2E vulnerability SLA',
				webhookUrl: sink.urlFor('vuln-summary'),
				mutate: (node: Json) => {
					if (node.type === lab.DEFENDER)
						node.parameters.options = { ...node.parameters.options, tenantId: vulnSla };
					if (node.name !== 'SLA and Owners') return;
					const owners = [
						{ owner: 'Server team', groups: ['Servers'], webhookUrl: sink.urlFor('vuln-servers') },
						{
							owner: 'Workplace team',
							groups: ['Workstations'],
							webhookUrl: sink.urlFor('vuln-workplace'),
						},
						{ owner: 'SOC', groups: ['*'], webhookUrl: sink.urlFor('vuln-soc') },
					];
					node.parameters.assignments.assignments[1].value = `={{ ${JSON.stringify(owners)} }}`;
				},
			}),
			// The phishing example, published on each API: it waits for the decision on n8n's resume URL.
			...(['graph', 'defenderXdr'] as const).map((api) =>
				lab.forImport(lab.loadExample('phishing-triage.json'), {
					id: api === 'graph' ? WF.phishGraph : WF.phishXdr,
					name: `E2E phishing triage (${api})`,
					webhookUrl: sink.urlFor(`phish-${api}`),
					mutate: (node: Json) => {
						if (node.type !== lab.DEFENDER && node.type !== lab.DEFENDER_TRIGGER) return;
						if ('api' in node.parameters) node.parameters.api = api;
						node.parameters.options = { ...node.parameters.options, tenantId: phish[api] };
						if (node.type === lab.DEFENDER_TRIGGER) {
							node.parameters.pollTimes = { item: [{ mode: 'everyMinute' }] };
							node.parameters.options.backfillFrom = new Date(Date.now() - MINUTE).toISOString();
						}
					},
				}),
			),
			// The same HTTP Request node cannot isolate a device the credential protects; another device it can.
			...(['isolateProtected', 'isolatePlain'] as const).map((key) =>
				lab.customApiCallWorkflow({
					id: WF[key],
					name: `E2E Custom API Call (isolate, ${key})`,
					url: `${emu.endpointApiUrl}/api/machines/${key === 'isolateProtected' ? dbServer.id : workstation.id}/isolate`,
					credential: { id: 'E2eDefenderCred5', name: PROTECTING_CREDENTIAL },
					body: { Comment: 'isolated by an HTTP Request node', IsolationType: 'Full' },
				}),
			),
			// The approval example, published: it waits for the decision on n8n's resume URL.
			lab.forImport(lab.loadExample('respond-with-approval.json'), {
				id: WF.approval,
				name: 'E2E contain after approval',
				webhookUrl: sink.urlFor('approval'),
				mutate: (node: Json) => {
					if (node.credentials?.microsoftDefenderApi)
						node.credentials.microsoftDefenderApi = { id: 'UNKNOWN', name: APPROVAL_CREDENTIAL };
					if (node.type === lab.DEFENDER_TRIGGER) {
						node.parameters.pollTimes = { item: [{ mode: 'everyMinute' }] };
						node.parameters.options = {
							...node.parameters.options,
							backfillFrom: new Date(Date.now() - MINUTE).toISOString(),
						};
					}
				},
			}),
		];
		await lab.n8nCli(home, [
			'import:workflow',
			`--input=${lab.writeJson(work, 'workflows.json', workflows)}`,
		]);
		await lab.publishWorkflowCli(home, WF.trigger);
		await lab.publishWorkflowCli(home, WF.approval);
		await lab.publishWorkflowCli(home, WF.phishGraph);
		await lab.publishWorkflowCli(home, WF.phishXdr);

		server = await lab.startN8n({ home, caFile: emu.caFile });
		client = await lab.setupOwner(server.url);
		progress(
			`set up in ${Math.round((Date.now() - started) / 1000)} s; n8n at ${server.url}, home ${home}`,
		);
	}, 20 * MINUTE);

	afterAll(async () => {
		await server?.stop();
		await sink?.stop();
		await emu?.stop();
		if (process.env.DEFENDER_E2E_KEEP === '1') progress(`kept ${home} and ${work}`);
		else for (const dir of [home, work]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
	}, MINUTE);

	it('loads the community package: 1 credential and 2 nodes, no loader errors', async () => {
		const log = server.readLog();
		// n8n appends its log metadata to the counts: {"credentials":1,"nodes":2,"file":…}
		expect(log).toMatch(
			new RegExp(
				`Loaded all credentials and nodes from ${lab.PACKAGE_NAME} \\{"credentials":1,"nodes":2[,}]`,
			),
		);
		// n8n's loader problems: its own messages, and any error logged before the server is ready.
		const lines = log.split('\n');
		const ready = lines.findIndex((line) => line.includes('n8n ready on'));
		const problems = lines.filter(
			(line, index) =>
				/Failed to load package|Skipping package|Unknown credential name|Hot reload failed/.test(
					line,
				) ||
				(index < ready && / \| error \| /.test(line)),
		);
		expect(ready).toBeGreaterThan(0);
		expect(problems).toEqual([]);
		// The examples' placeholder credential id was mapped to the imported credential by its name.
		const workflow = await client.call('GET', `/workflows/${WF.report}`);
		const defender = workflow.nodes.find((node: Json) => node.type === lab.DEFENDER);
		expect(defender.credentials.microsoftDefenderApi).toEqual({
			id: credential.id,
			name: lab.CREDENTIAL_NAME,
		});
	});

	it('triage (Graph): new High/Medium incidents → chat message → devices → hunting template → In Progress with a comment', async () => {
		const run = await execute(WF.triageGraph);
		expect(run.status).toBe('success');
		const listed = lab.nodeOutput(run, TRIAGE_TRIGGER);
		expect(listed.map((incident: Json) => incident.id).sort()).toEqual(
			[String(inc.high.id), String(inc.medium.id)].sort(),
		);
		expect(listed[0].alerts[0].evidence).toBeDefined(); // the Graph shape, Simplify off

		const devices = lab
			.nodeOutput(run, 'Devices')
			.map((item: Json) => `${item.incidentId} ${item.kind} ${item.value}`);
		expect(devices.sort()).toEqual(
			[
				`${inc.high.id} device ws-0101.contoso.local`,
				`${inc.medium.id} device srv-db01.contoso.local`,
				`${inc.medium.id} device ws-0102.contoso.local`,
			].sort(),
		);
		const hunts = lab.nodeOutput(run, 'Hunt Process Events');
		const rowsByDevice = Object.fromEntries(
			hunts.map((hunt: Json) => [hunt.rows[0]?.DeviceName, hunt.rowCount]),
		);
		expect(rowsByDevice).toEqual({
			'ws-0101.contoso.local': 2,
			'srv-db01.contoso.local': 1,
			'ws-0102.contoso.local': 2,
		});

		// The Slack message the trigger's Chat Message Format option wrote, as it reached the webhook.
		const messages = sink.received('triage-graph').map((message) => message.body);
		expect(messages).toHaveLength(2);
		const high = messages.find((body) => body.text.includes(`incident ${inc.high.id} `));
		expect(high.text).toBe(`🔴 Defender incident ${inc.high.id} (High): E2E ransomware on ws-0101`);
		expect(high.blocks.length).toBeLessThanOrEqual(50);
		expect(high.blocks[0]).toEqual({
			type: 'header',
			text: {
				type: 'plain_text',
				text: `🔴 Incident ${inc.high.id}: E2E ransomware on ws-0101`,
				emoji: true,
			},
		});
		const texts = high.blocks
			.flatMap((block: Json) => [
				block.text?.text,
				...(block.fields ?? []).map((field: Json) => field.text),
			])
			.filter(Boolean);
		expect(texts).toEqual(
			expect.arrayContaining([
				'Severity: 🔴 High',
				'Alerts: 1',
				'Devices (1)\n• ws-0101.contoso.local',
			]),
		);
		for (const text of texts) expect(text.length).toBeLessThanOrEqual(3000);
		expect(high.blocks.at(-1).elements[0].url).toBe(
			`https://security.microsoft.com/incidents/${inc.high.id}?tid=${t1}`,
		);
		const medium = messages.find((body) => body.text.includes(`incident ${inc.medium.id} `));
		expect(medium.text).toBe(
			`🟠 Defender incident ${inc.medium.id} (Medium): E2E lateral movement`,
		);

		const comments: Record<string, string> = {
			high: 'found 2 process event(s) in the last 24 h on ws-0101.contoso.local.',
			medium:
				'found 3 process event(s) in the last 24 h on srv-db01.contoso.local, ws-0102.contoso.local.',
		};
		for (const key of ['high', 'medium']) {
			const now = emu.getIncident(t1, inc[key].id) as Incident;
			expect(now.status).toBe('InProgress');
			expect(now.comments).toHaveLength(1);
			expect(now.comments[0].comment).toBe(
				`Triaged by n8n: advanced hunting ${comments[key]} Posted to the SOC chat.`,
			);
			expect(now.comments[0].createdBy).toBe(`API-App:${clientId}`);
		}
		expect(emu.getIncident(t1, inc.low.id)).toMatchObject({ status: 'Active', comments: [] });
		expect(emu.getIncident(t1, inc.old.id)).toMatchObject({ status: 'Resolved', comments: [] });
	});

	it('triage (Defender XDR API): the XDR incident shape gives the same devices and messages', async () => {
		const run = await execute(WF.triageXdr);
		const listed = lab.nodeOutput(run, TRIAGE_TRIGGER);
		expect(listed.map((incident: Json) => incident.incidentId).sort()).toEqual(
			[inc.high.id, inc.medium.id].sort(),
		);
		expect(listed[0].alerts[0].devices[0].deviceDnsName).toBeDefined(); // the XDR shape
		const devices = lab
			.nodeOutput(run, 'Devices')
			.map((item: Json) => `${item.incidentId} ${item.value}`);
		expect(devices.sort()).toEqual(
			[
				`${inc.high.id} ws-0101.contoso.local`,
				`${inc.medium.id} srv-db01.contoso.local`,
				`${inc.medium.id} ws-0102.contoso.local`,
			].sort(),
		);

		// Status and link differ only where the incidents changed in between (In Progress now).
		const comparable = (body: Json) => ({
			text: body.text,
			header: body.blocks[0],
			devices: body.blocks.filter((block: Json) => String(block.text?.text).startsWith('Devices')),
		});
		const xdr = sink.received('triage-xdr').map((message) => comparable(message.body));
		const graph = sink.received('triage-graph').map((message) => comparable(message.body));
		expect(xdr.sort((a, b) => a.text.localeCompare(b.text))).toEqual(
			graph.sort((a, b) => a.text.localeCompare(b.text)),
		);
		for (const key of ['high', 'medium'])
			expect(emu.getIncident(t1, inc[key].id)?.comments).toHaveLength(2);
	});

	it('triage with Chat Message Format Microsoft Teams: the Adaptive Card that reached the webhook is valid, within limits and escaped', async () => {
		const run = await execute(WF.triageTeams);
		expect(run.status).toBe('success');
		const [message] = sink.received('triage-teams');
		expect(sink.received('triage-teams')).toHaveLength(1);
		expect(JSON.parse(message.raw)).toEqual(message.body); // valid JSON as posted
		expect(Buffer.byteLength(message.raw)).toBeLessThanOrEqual(28_000);
		expect(message.raw).not.toContain('{{'); // no Adaptive Card template function survives
		expect(message.body).toMatchObject({
			type: 'message',
			attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive' }],
		});
		expect(message.body.attachments).toHaveLength(1);
		const card = message.body.attachments[0].content;
		expect(card).toMatchObject({ type: 'AdaptiveCard', version: '1.4' });
		// Text only in TextRuns, which render no Markdown: nothing from the incident can format or mention.
		const blocks = card.body.flatMap((element: Json) => element.items ?? [element]);
		expect(new Set(blocks.map((block: Json) => block.type))).toEqual(new Set(['RichTextBlock']));
		const runs = blocks.flatMap((block: Json) => block.inlines);
		expect(new Set(runs.map((textRun: Json) => textRun.type))).toEqual(new Set(['TextRun']));
		const texts = runs.map((textRun: Json) => textRun.text as string);
		const title = Array.from(hostileTitle.trim());
		expect(texts[1]).toBe(`${title.slice(0, 499).join('')}…`.replace('{{DATE', '{\u200B{DATE'));
		expect(texts[0]).toBe(`🔴 Incident ${inc.teams.id}`);
		const devices = texts.slice(texts.indexOf('Devices (8)'));
		expect(devices.slice(0, 7)).toEqual([
			'Devices (8)',
			...Array.from({ length: 5 }, () => expect.stringMatching(/^• ws-08\d\.contoso\.local$/)),
			'… and 3 more',
		]);
		expect(card.actions).toEqual([
			{
				type: 'Action.OpenUrl',
				title: 'Open in Defender',
				url: `https://security.microsoft.com/incidents/${inc.teams.id}?tid=${t7}`,
			},
		]);
		expect((emu.getIncident(t7, inc.teams.id) as Incident).status).toBe('InProgress');
	});

	it('daily digest: incidents updated in the last 24 hours, counted, posted to chat', async () => {
		const run = await execute(WF.digest);
		const recent = emu
			.listIncidents(t1)
			.filter((incident) => Date.parse(incident.lastUpdateTime) > Date.now() - 24 * 3_600_000);
		expect(recent.map((incident) => incident.id).sort()).toEqual(
			[inc.high.id, inc.medium.id, inc.low.id].sort(),
		);
		const listed = lab.nodeOutput(run, 'Incidents Updated in 24 h');
		expect(listed.map((incident: Json) => incident.id).sort()).toEqual(
			recent.map((incident) => String(incident.id)).sort(),
		);

		const [digest] = lab.nodeOutput(run, 'Digest');
		expect(digest).toMatchObject({
			sum_incidents: 3,
			sum_high: 1,
			sum_medium: 1,
			sum_low: 1,
			sum_informational: 0,
			sum_active: 1,
			sum_inProgress: 2,
			sum_resolved: 0,
			count_openLine: 2,
		});
		const [message] = await sink.waitFor('digest');
		expect(message.body.text).toBe(
			'Defender daily digest: 3 incident(s) updated in the last 24 h — severity High: 1, Medium: 1, Low: 1, Informational: 0; status Active: 1, In Progress: 2, Resolved: 0; 2 open High/Medium.',
		);
		// Incident titles only in plain_text (Slack neither formats nor scans it for mentions).
		expect(message.body.blocks.map((block: Json) => block.text.type)).toEqual([
			'plain_text',
			'plain_text',
			'plain_text',
		]);
		const open = message.body.blocks[2].text.text.split('\n');
		expect(open[0]).toBe('Open High/Medium (2)');
		expect(open.slice(1).sort()).toEqual(
			[
				`• #${inc.high.id} · High · InProgress · ${inc.high.title}`,
				`• #${inc.medium.id} · Medium · InProgress · ${inc.medium.title}`,
			].sort(),
		);
	});

	it('MSSP morning report: one digest per reachable customer, one for the MSSP naming the tenant whose consent was revoked; nothing changed in Defender', async () => {
		const before = emu.listIncidents(mssp.fabrikam);
		const run = await execute(WF.mssp);
		expect(run.status).toBe('success');

		const [fabrikam] = sink.received('mssp-fabrikam').map((message) => message.body);
		expect(sink.received('mssp-fabrikam')).toHaveLength(1);
		expect(fabrikam.text).toBe(
			'Defender morning report for Fabrikam: 3 open incident(s), 1 device(s) isolated in 24 h',
		);
		expect(fabrikam.blocks[0].text).toEqual({
			type: 'plain_text',
			text: 'Microsoft Defender — Fabrikam',
		});
		const since = new Date(
			Date.parse(emu.getIncident(mssp.fabrikam, inc.msspOldest.id)!.createdTime),
		)
			.toISOString()
			.slice(0, 16)
			.replace('T', ' ');
		expect(fabrikam.blocks[1].text).toEqual({
			type: 'plain_text', // the titles: Slack neither formats nor scans plain_text for mentions
			text: [
				'Open incidents: 3 (High 2, Medium 1, Low 0, Informational 0)',
				`Oldest unassigned: #${inc.msspOldest.id} (High, since ${since} UTC): E2E MSSP <!channel> oldest unassigned`,
				'Devices isolated in the last 24 h: 1 (pos-12.fabrikam.local)',
			].join('\n'),
		});

		const [tailspin] = sink.received('mssp-tailspin').map((message) => message.body);
		expect(sink.received('mssp-tailspin')).toHaveLength(1);
		expect(tailspin.blocks[1].text.text).toBe(
			[
				'Open incidents: 0 (High 0, Medium 0, Low 0, Informational 0)',
				'Oldest unassigned: none',
				'Devices isolated in the last 24 h: 0',
			].join('\n'),
		);
		expect(sink.received('mssp-contoso')).toEqual([]);

		const [digest] = sink.received('mssp').map((message) => message.body);
		expect(sink.received('mssp')).toHaveLength(1);
		expect(digest.text).toBe('Defender morning report: 3 customer tenant(s), 2 reached, 1 failed');
		const lines = digest.blocks[2].text.text.split('\n');
		expect(lines).toHaveLength(3);
		expect(lines[0]).toBe(
			`✅ Fabrikam: 3 open (High 2, Medium 1), oldest unassigned #${inc.msspOldest.id} (High, since ${since} UTC): E2E MSSP <!channel> oldest unassigned; 1 isolated in 24 h`,
		);
		expect(lines[1]).toMatch(
			new RegExp(
				`^⚠️ Contoso: not reached — .*AADSTS7000229.*no service principal in tenant ${mssp.contoso}`,
			),
		);
		expect(lines[2]).toBe(
			'✅ Tailspin: 0 open (High 0, Medium 0), oldest unassigned none; 0 isolated in 24 h',
		);

		// A report only: no incident, device or action changed; the revoked tenant got no API call.
		expect(emu.listIncidents(mssp.fabrikam)).toEqual(before);
		expect(emu.listMachineActions(mssp.fabrikam)).toHaveLength(3);
		expect(
			emu.requests.filter((request) => request.tenant === mssp.contoso && request.api !== 'login'),
		).toEqual([]);
	});

	it('vulnerability SLA: one message per device-group owner, a summary, and on the next run the trend; nothing changed in Defender', async () => {
		const requestsBefore = emu.requests.length;
		const first = await execute(WF.vulnSla);
		expect(first.status).toBe('success');

		const bodies = (name: string) => sink.received(name).map((message) => message.body);
		const [servers] = bodies('vuln-servers');
		expect(bodies('vuln-servers')).toHaveLength(1);
		expect(servers.text).toBe(
			'Vulnerability SLA for Server team: 2 exploitable exposure(s), 1 past SLA',
		);
		expect(servers.blocks[2].text.text).toBe(
			'Servers:\n' +
				'🔴 CVE-2026-3001 (Critical) on srv-web01.adatum.local: 20 day(s) open, SLA 15\n' +
				'🟢 CVE-2026-3002 (High) on srv-db02.adatum.local: 10 day(s) open, SLA 30',
		);
		expect(bodies('vuln-workplace')).toEqual([
			expect.objectContaining({
				text: 'Vulnerability SLA for Workplace team: 1 exploitable exposure(s), 1 past SLA',
			}),
		]);
		expect(bodies('vuln-workplace')[0].blocks[2].text.text).toBe(
			'Workstations:\n🔴 CVE-2026-3001 (Critical) on ws-0201.adatum.local: 20 day(s) open, SLA 15',
		);
		expect(bodies('vuln-soc')).toHaveLength(1);
		expect(bodies('vuln-soc')[0].blocks[2].text.text).toBe(
			'Unassigned:\n🟢 CVE-2026-3002 (High) on kiosk-01.adatum.local: 10 day(s) open, SLA 30',
		);
		expect(bodies('vuln-summary')).toEqual([
			{
				text: 'Vulnerability SLA: 4 exploitable exposure(s) (2 CVE(s)) in 3 device group(s), 2 past SLA. Since the last run: 4 new, 0 still open.',
			},
		]);

		// A week later one more workstation has the Critical CVE: the summary counts it as the only new exposure.
		emu.addVulnerability(vulnSla, {
			id: 'CVE-2026-3001',
			severity: 'Critical',
			publishedOn: new Date(Date.now() - 20 * 86_400_000 - 3_600_000).toISOString(),
			publicExploit: true,
			machineIds: [
				slaDevices['srv-web01.adatum.local'],
				slaDevices['ws-0201.adatum.local'],
				slaDevices['ws-0202.adatum.local'],
			],
		});
		const second = await execute(WF.vulnSla);
		expect(second.status).toBe('success');
		expect(bodies('vuln-summary')).toHaveLength(2);
		expect(bodies('vuln-summary')[1]).toEqual({
			text: 'Vulnerability SLA: 5 exploitable exposure(s) (2 CVE(s)) in 3 device group(s), 3 past SLA. Since the last run: 1 new, 4 still open.',
		});
		expect(bodies('vuln-workplace')).toHaveLength(2);
		expect(bodies('vuln-workplace')[1].text).toBe(
			'Vulnerability SLA for Workplace team: 2 exploitable exposure(s), 2 past SLA',
		);

		// Read only: every call to the tenant's Defender API was a GET.
		const calls = emu.requests
			.slice(requestsBefore)
			.filter((request) => request.tenant === vulnSla && request.api !== 'login');
		expect(calls.length).toBeGreaterThan(0);
		expect(calls.filter((request) => request.method !== 'GET')).toEqual([]);
	});

	it('hunting report: the KQL rows reach the chat', async () => {
		const run = await execute(WF.report);
		expect(lab.nodeOutput(run, 'PowerShell Process Events')).toEqual([
			{
				Timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
				DeviceName: 'ws-0101.contoso.local',
				AccountName: 'alice',
				ProcessCommandLine: 'powershell.exe -enc SQBFAFgA',
			},
		]);
		const [message] = await sink.waitFor('report');
		expect(message.body.text).toBe('Hunting report — PowerShell process events: 1 row(s)');
		expect(message.body.blocks[1].text).toEqual({
			type: 'plain_text',
			text: expect.stringMatching(
				/^\d{4}-\d\d-\d\dT\S+ {2}ws-0101\.contoso\.local {2}alice {2}powershell\.exe -enc SQBFAFgA$/,
			),
		});
	});

	it("containment: the High incident's device is isolated (waited for), its file hash blocked, the outcome posted and commented", async () => {
		const run = await execute(WF.respond);
		expect(run.status).toBe('success');
		const [isolation] = lab.nodeOutput(run, 'Isolate Device');
		expect(isolation).toMatchObject({
			type: 'Isolate',
			status: 'Succeeded',
			computerDnsName: 'fin-laptop-7.contoso.local',
		});
		const [entities] = lab.nodeOutput(run, 'Device and File');
		expect(entities).toMatchObject({
			incidentId: String(inc.contain.id),
			devices: [{ kind: 'device', value: 'fin-laptop-7.contoso.local' }],
		});
		const target = { sha256: entities.processes[0].sha256 };
		// The incident names its file only on the process: Entity Types = File includes that image file.
		expect(entities.files).toEqual([
			expect.objectContaining({ kind: 'file', sha256: target.sha256 }),
		]);
		expect(target.sha256).toMatch(/^[0-9a-f]{64}$/);
		expect(emu.listMachineActions(t3)).toEqual([
			expect.objectContaining({ type: 'Isolate', status: 'Succeeded', scope: 'Full' }),
		]);
		expect(emu.listIndicators(t3)).toEqual([
			expect.objectContaining({
				indicatorValue: target.sha256,
				indicatorType: 'FileSha256',
				action: 'BlockAndRemediate',
			}),
		]);
		const [message] = await sink.waitFor('respond');
		expect(message.body.text).toMatch(
			new RegExp(
				`^Defender incident #${inc.contain.id}: E2E ransomware to contain — fin-laptop-7\\.contoso\\.local isolated \\(Succeeded, action [0-9a-f-]{36}\\); SHA-256 ${target.sha256} blocked`,
			),
		);
		expect(sink.received('respond')).toHaveLength(1);
		const comments = (emu.getIncident(t3, inc.contain.id) as Incident).comments.map(
			(comment) => comment.comment,
		);
		expect(comments).toEqual([
			expect.stringMatching(/^Contained by n8n: fin-laptop-7\.contoso\.local isolated \(Succeeded/),
		]);
	});

	it('Custom API Call (HTTP Request node, Predefined Credential Type): incidents from both APIs; a foreign URL refused without a token', async () => {
		const graph = lab.nodeOutput(await execute(WF.customGraph), 'Custom API Call');
		expect(graph).toHaveLength(1);
		expect(graph[0].value).toHaveLength(2);
		expect(graph[0].value.map((incident: Json) => incident.displayName)).toEqual(
			expect.arrayContaining([expect.stringMatching(/^E2E /)]),
		);
		const xdr = lab.nodeOutput(await execute(WF.customXdr), 'Custom API Call');
		expect(xdr[0].value.map((incident: Json) => incident.incidentName).sort()).toEqual(
			[inc.high, inc.medium, inc.low, inc.old].map((incident) => incident.title).sort(),
		);

		await expect(execute(WF.customForeign)).rejects.toThrow(
			/failed in node "Custom API Call": Refusing to attach a Microsoft Defender token to http:\/\/127\.0\.0\.1:\d+\/hooks\/custom-foreign: it is not under one of the credential's API URLs/,
		);
		expect(sink.received('custom-foreign')).toEqual([]);
	});

	it('Protected Devices hold for the HTTP Request node with this credential: a protected device is not isolated, another one is', async () => {
		await expect(execute(WF.isolateProtected)).rejects.toThrow(
			/failed in node "Custom API Call": Device srv-db01\.contoso\.local is protected: its name "srv-db01\.contoso\.local" matches the rule "name:srv-db01\*" in the credential's Protected Devices, so no response action runs on it\./,
		);
		expect(emu.listMachineActions(t8)).toEqual([]);
		const [isolated] = lab.nodeOutput(await execute(WF.isolatePlain), 'Custom API Call');
		expect(isolated).toMatchObject({ type: 'Isolate', machineId: workstation.id });
		expect(emu.listMachineActions(t8)).toEqual([
			expect.objectContaining({ type: 'Isolate', machineId: workstation.id }),
		]);
	});

	it('investigation: file statistics, a live response script and collected file, the device vulnerabilities — posted and commented', async () => {
		const run = await execute(WF.investigate);
		expect(run.status).toBe('success');
		const [session] = lab.nodeOutput(run, 'Run Live Response');
		expect(session).toMatchObject({
			type: 'LiveResponse',
			status: 'Succeeded',
			computerDnsName: 'ws-0200.contoso.local',
		});
		expect(session.scripts).toEqual([
			expect.objectContaining({
				scriptName: 'collect-triage.ps1',
				args: `-Incident ${inc.investigate.id}`,
				exitCode: 0,
				output: '3 scheduled tasks',
			}),
		]);
		expect(session.files).toEqual([
			expect.objectContaining({ fileName: 'powershell.exe.zip', binaryPropertyName: 'collected' }),
		]);
		const [message] = await sink.waitFor('investigate');
		// The incident's own message (Chat Message Format) with the investigation report appended.
		expect(message.body.text).toBe(
			`🔴 Defender incident ${inc.investigate.id} (High): E2E suspicious PowerShell`,
		);
		expect(message.body.blocks.at(-1)).toEqual({
			type: 'section',
			text: {
				type: 'plain_text',
				text:
					'ws-0200.contoso.local\n• powershell.exe seen on 1 device(s) in the organisation, 3 worldwide\n' +
					`• script collect-triage.ps1 exit 0: 3 scheduled tasks; collected powershell.exe.zip (${session.files[0].size} bytes)\n` +
					'• 2 top vulnerabilities: CVE-2026-2001 (Critical), CVE-2026-2002 (High)',
			},
		});
		expect(sink.received('investigate')).toHaveLength(1);
		const comments = (emu.getIncident(t4, inc.investigate.id) as Incident).comments.map(
			(comment) => comment.comment,
		);
		expect(comments).toEqual([
			expect.stringMatching(
				/^Investigated by n8n on ws-0200\.contoso\.local: powershell\.exe seen on 1 device/,
			),
		]);
		expect(emu.listMachineActions(t4)).toEqual([
			expect.objectContaining({ type: 'LiveResponse', status: 'Succeeded' }),
		]);
	});

	it('a wrong client secret in a workflow: the node explains it (AADSTS7000215) at once, no network-failure retries', async () => {
		const failure = await execute(WF.wrongSecret).then(
			() => undefined,
			(error: Error) => error,
		);
		expect(failure?.message).toMatch(
			/in node "PowerShell Process Events": Sign-in failed \(AADSTS7000215\): The client secret is wrong/,
		);
		expect(failure?.message).not.toMatch(/network error|attempts/);
		expect(failure?.message).not.toContain('not-the-secret');
		expect(sink.received('wrong-secret')).toHaveLength(0);
	});

	it.each([
		['Responses API', WF.aiResponses, 'responses'],
		['Chat Completions', WF.aiChat, 'chat'],
	] as const)(
		'AI triage (%s): the agent lists new incidents and hunts through the Defender tool, and its answer quotes them',
		async (_, workflowId, api) => {
			const hunt =
				'DeviceProcessEvents | where DeviceName =~ "ws-0101.contoso.local" | project Timestamp, DeviceName, AccountName, ProcessCommandLine | take 20';
			emu.setModelScript([
				{ call: 'List New Incidents', arguments: { limit: 10, createdAfter: startedAt } },
				{ call: 'Run Hunting Query', arguments: { query: hunt } },
				{ answer: 'Triage summary. New incidents: {{output:0}} Process events: {{output:1}}' },
			]);
			const before = emu.requests.length;
			const run = await execute(workflowId);
			expect(run.status).toBe('success');

			// The model was asked three times, offered both tools, and saw each tool's result.
			const exchanges = emu.modelExchanges();
			expect(exchanges.map((exchange) => exchange.api)).toEqual([api, api, api]);
			expect(exchanges[0].tools).toEqual(
				expect.arrayContaining([
					expect.stringMatching(/^List_New_Incidents$/),
					expect.stringMatching(/^Run_Hunting_Query$/),
				]),
			);
			// What the agent is told: the Tool Description, not the node's short action name.
			expect(exchanges[0].toolDescriptions).toMatchObject({
				List_New_Incidents: expect.stringMatching(
					/^Get many incidents, newest first: each with ID, title, .* in Microsoft Defender/,
				),
				Run_Hunting_Query: expect.stringMatching(
					/^Run an advanced hunting query \(KQL, read-only\) and return its rows in Microsoft Defender/,
				),
			});
			const [listed, hunted] = exchanges[2].toolOutputs;
			expect(listed).toContain(inc.ai1.title);
			expect(listed).toContain(inc.ai2.title);
			expect(listed).not.toContain(inc.high.title); // another tenant's
			expect(hunted).toContain('certutil.exe -urlcache');

			// The tool calls reached the Defender APIs of the tool's tenant: one incident list, one hunting query.
			const calls = emu.requests
				.slice(before)
				.filter((request) => request.tenant === t5 && request.api === 'graph');
			expect(calls.map((request) => `${request.method} ${request.path} ${request.status}`)).toEqual(
				['GET /graph/v1.0/security/incidents 200', 'POST /graph/v1.0/security/runHuntingQuery 200'],
			);

			const [answer] = lab.nodeOutput(run, 'AI Agent');
			expect(answer.output).toMatch(/^Triage summary\. New incidents: /);
			expect(answer.output).toContain(inc.ai1.title);
			expect(answer.output).toContain('certutil.exe -urlcache');
		},
	);

	it("credential Test through n8n's REST API: OK with the granted roles; a wrong secret explained", async () => {
		const ok = await lab.testCredential(client, credential);
		expect(ok.status).toBe('OK');
		expect(ok.message).toMatch(/^Connected — granted: /);
		expect(ok.message).toContain('SecurityIncident.ReadWrite.All');
		expect(ok.message).toContain('AdvancedHunting.Read.All');

		// The dialog sends the saved credential's id with the edited fields.
		const wrong = await lab.testCredential(client, {
			...credential,
			data: { ...credential.data, clientSecret: 'not-the-secret' },
		});
		expect(wrong.status).toBe('Error');
		expect(wrong.message).toContain('AADSTS7000215');
		expect(wrong.message).toContain('The client secret is wrong');
		expect(wrong.message).not.toContain('not-the-secret');
	});

	it(
		'published trigger: each new High/Medium incident is emitted exactly once and triaged',
		async () => {
			// The trigger's first poll (at activation or the first minute) back-fills x1 and x2.
			const first = await waitForTriggerItems([inc.x1.id, inc.x2.id], 150_000);
			progress(`trigger: back-filled ${first.join(', ')}`);
			// Then a new incident, and a portal change to one already emitted: only the new one may come.
			inc.x4 = emu.createIncident(t2, {
				title: 'Trigger high, later',
				severity: 'High',
				devices: ['ws-0102.contoso.local'],
			});
			emu.updateIncident(t2, inc.x1.id, { assignedTo: 'soc@tailspin.example' });
			const all = await waitForTriggerItems([inc.x1.id, inc.x2.id, inc.x4.id], 150_000);

			const counts: Record<string, number> = {};
			for (const id of all) counts[id] = (counts[id] ?? 0) + 1;
			expect(counts).toEqual({ [inc.x1.id]: 1, [inc.x2.id]: 1, [inc.x4.id]: 1 });
			const texts = sink.received('trigger').map((message) => message.body.text as string);
			expect(texts.map((text) => /incident (\d+) /.exec(text)?.[1]).sort()).toEqual(
				[inc.x1.id, inc.x2.id, inc.x4.id].map(String).sort(),
			);
			for (const key of ['x1', 'x2', 'x4'])
				expect(emu.getIncident(t2, inc[key].id)?.status).toBe('InProgress');
			for (const key of ['x0', 'x3'])
				expect(emu.getIncident(t2, inc[key].id)).toMatchObject({ status: 'Active', comments: [] });
		},
		6 * MINUTE,
	);

	it(
		'approval: Approve isolates (waited for) and comments; Reject, and a protected device, only comment',
		async () => {
			const plan: Record<string, 'Approve' | 'Reject'> = {
				[inc.approve.id]: 'Approve',
				[inc.reject.id]: 'Reject',
				[inc.vip.id]: 'Approve',
			};
			// One incident at a time: each message waits for its decision before the next one is posted.
			for (let n = 1; n <= 3; n++) {
				const messages = await sink.waitFor('approval', n, 150_000);
				const { body } = messages[n - 1];
				const id = /incident (\d+) /.exec(body.text)?.[1] as string;
				expect(Object.keys(plan)).toContain(id);
				const buttons = body.blocks.at(-1).elements as Json[];
				expect(buttons.map((button) => button.text.text)).toEqual([
					'Open in Defender',
					'Approve',
					'Reject',
				]);
				const decision = buttons.find((button) => button.text.text === plan[id]) as Json;
				expect(decision.url).toMatch(
					new RegExp(`^${server.url}/webhook-waiting/\\d+\\?.*decision=${plan[id].toLowerCase()}$`),
				);
				// A person clicks seconds later; the test clicks once the execution waits for this decision.
				await waitingForDecision(n);
				const resumed = await fetch(decision.url);
				expect(resumed.status).toBe(200);
				progress(`approval: ${plan[id]} incident ${id}`);
			}
			const vipMessage = sink
				.received('approval')
				.find((message) => message.body.text.includes(`incident ${inc.vip.id} `)) as Json;
			expect(vipMessage.body.blocks[0].text).toEqual({
				type: 'plain_text',
				text: `🔴 Incident ${inc.vip.id}: E2E <!channel> *VIP* laptop`,
				emoji: true,
			});
			expect(vipMessage.body.text).toContain('&lt;!channel&gt;');

			const commentOf = async (id: number) => {
				const deadline = Date.now() + 60_000;
				for (;;) {
					const comments = (emu.getIncident(t6, id) as Incident).comments;
					if (comments.length > 0 || Date.now() > deadline)
						return comments.map((comment) => comment.comment);
					await new Promise((resolve) => setTimeout(resolve, 1000));
				}
			};
			expect(await commentOf(inc.approve.id)).toEqual([
				expect.stringMatching(
					/^Approved in chat: ws-approve\.contoso\.local isolated \(Succeeded, action [0-9a-f-]{36}\)\.$/,
				),
			]);
			expect(await commentOf(inc.reject.id)).toEqual([
				'Containment rejected in chat: no device was isolated.',
			]);
			expect(await commentOf(inc.vip.id)).toEqual([
				expect.stringMatching(
					/^Approved in chat, but ceo-laptop\.contoso\.local was not isolated: Device ceo-laptop\.contoso\.local is protected: its tag "VIP" matches the rule "tag:vip"/,
				),
			]);
			expect(emu.listMachineActions(t6)).toEqual([
				expect.objectContaining({
					type: 'Isolate',
					status: 'Succeeded',
					computerDnsName: 'ws-approve.contoso.local',
				}),
			]);
		},
		8 * MINUTE,
	);

	it.each(['graph', 'defenderXdr'] as const)(
		'phishing triage (%s): recipients and clicks counted, approved in chat, URL and sender domain blocked for 30 days, commented, outcome card',
		async (api) => {
			const seeded = phished[api];
			const workflowId = api === 'graph' ? WF.phishGraph : WF.phishXdr;
			const domain = `invoices-${api.toLowerCase()}.example`;
			const [request] = await sink.waitFor(`phish-${api}`, 1, 150_000);
			expect(request.body.text).toBe(
				`🎣 Phishing in incident ${seeded.incident!.id}: 3 recipient(s), 1 clicked. Block the URL and the sender domain?`,
			);
			expect(request.body.blocks[1].text).toEqual({
				type: 'plain_text',
				text: [
					'Subject: Your invoice is overdue',
					`From: billing@${domain} (Delivered)`,
					`URL: https://${domain}/pay?id=7`,
					'Received by 3: erin@contoso.com, dave@contoso.com, carol@contoso.com',
					'Clicked by 1: dave@contoso.com',
				].join('\n'),
			});
			const buttons = request.body.blocks.at(-1).elements as Json[];
			expect(buttons.map((button) => button.text.text)).toEqual(['Approve', 'Reject']);
			expect(buttons[0].url).toMatch(
				new RegExp(`^${server.url}/webhook-waiting/\\d+\\?.*decision=approve$`),
			);
			expect(emu.listIndicators(phish[api])).toEqual([]); // nothing before the approval
			await waitingForDecision(1, workflowId);
			expect((await fetch(buttons[0].url)).status).toBe(200);

			const [, outcome] = await sink.waitFor(`phish-${api}`, 2, 60_000).catch(async (error) => {
				throw new Error(`${(error as Error).message}; ${await executionErrors(workflowId)}`);
			});
			expect(outcome.body.text).toBe(
				`🎣 Incident ${seeded.incident!.id}: 3 recipient(s), 1 clicked, 2 indicator(s) created`,
			);
			const indicators = emu.listIndicators(phish[api]) as Json[];
			expect(
				indicators
					.map((indicator) => [indicator.indicatorType, indicator.indicatorValue, indicator.action])
					.sort(),
			).toEqual([
				['DomainName', domain, 'Block'],
				['Url', `https://${domain}/pay?id=7`, 'Block'],
			]);
			for (const indicator of indicators) {
				const days = (Date.parse(indicator.expirationTime) - Date.now()) / 86_400_000;
				expect(days).toBeGreaterThan(29.9);
				expect(days).toBeLessThan(30.1);
			}
			const [comment] = (emu.getIncident(phish[api], seeded.incident!.id) as Incident).comments;
			expect(comment.comment).toMatch(
				new RegExp(
					`^Phishing triage by n8n: the message "Your invoice is overdue" from billing@${domain.replace(/\./g, '\\.')} reached 3 mailbox\\(es\\); 1 user\\(s\\) clicked its URL \\(dave@contoso\\.com\\)\\. Approved in chat: URL https://.* blocked until \\d{4}-\\d{2}-\\d{2} \\(indicator \\d+\\); sender domain ${domain.replace(/\./g, '\\.')} blocked until \\d{4}-\\d{2}-\\d{2} \\(indicator \\d+\\)\\.$`,
				),
			);
			if (api === 'graph')
				expect(emu.getIncident(phish.graph, inc.phishSkipped.id)).toMatchObject({ comments: [] });
		},
		6 * MINUTE,
	);

	/** The failed executions of a workflow: node and message, for a test's error message. */
	async function executionErrors(workflowId: string): Promise<string> {
		const failed: string[] = [];
		for (const summary of await lab.listExecutions(client, workflowId)) {
			const { data } = await lab.getExecution(client, summary.id);
			const error = data?.resultData?.error;
			if (error)
				failed.push(
					`execution ${summary.id} failed in ${data.resultData.lastNodeExecuted}: ${error.message}`,
				);
		}
		return failed.join('; ') || 'no failed execution';
	}

	/**
	 * Waits until the approval workflow's execution waits for its `decision`-th answer: its Wait node
	 * has run that many times and n8n saved it as waiting. n8n 1.x on its default SQLite writes the
	 * status and the data of an execution in two updates: a click between them finds it "waiting"
	 * with the previous wait's data and resumes it from there.
	 */
	async function waitingForDecision(decision: number, workflowId = WF.approval): Promise<void> {
		const deadline = Date.now() + 2 * MINUTE;
		for (;;) {
			for (const summary of await lab.listExecutions(client, workflowId)) {
				if (summary.status !== 'waiting') continue;
				const execution = await lab.getExecution(client, summary.id);
				if (execution.data?.resultData?.runData?.['Wait for Decision']?.length === decision) return;
			}
			if (Date.now() > deadline)
				throw new Error(`the approval workflow did not wait for decision ${decision} within 2 min`);
			await new Promise((resolve) => setTimeout(resolve, 1000));
		}
	}

	/**
	 * Polls n8n's executions of the published workflow until the trigger has emitted every id in
	 * `wanted` (in finished, successful executions); returns every id emitted so far, repeats included.
	 */
	async function waitForTriggerItems(wanted: number[], timeoutMs: number): Promise<number[]> {
		const deadline = Date.now() + timeoutMs;
		const seen = new Map<string, number[]>(); // execution id → incident ids it got from the trigger
		for (;;) {
			const activationError = server
				.readLog()
				.split('\n')
				.find((line) => line.includes('problem activating the workflow'));
			if (activationError)
				throw new Error(`n8n could not activate the trigger workflow: ${activationError}`);
			for (const summary of await lab.listExecutions(client, WF.trigger)) {
				if (seen.has(summary.id) || summary.status === 'running' || summary.status === 'new')
					continue;
				const execution = await lab.getExecution(client, summary.id);
				if (summary.status !== 'success')
					throw new Error(
						`trigger execution ${summary.id} ended ${summary.status}: ${JSON.stringify(execution.data?.resultData?.error ?? {}).slice(0, 800)}`,
					);
				seen.set(
					summary.id,
					lab.nodeOutput(execution, TRIAGE_TRIGGER).map((incident: Json) => Number(incident.id)),
				);
			}
			const emitted = [...seen.values()].flat();
			if (wanted.every((id) => emitted.includes(id))) return emitted;
			if (Date.now() > deadline) {
				throw new Error(
					`after ${timeoutMs / 1000} s the trigger emitted [${emitted.join(', ')}], expected [${wanted.join(', ')}]\n${server
						.readLog()
						.split('\n')
						.filter((line) => /poll|trigger/i.test(line))
						.slice(-15)
						.join('\n')}`,
				);
			}
			await new Promise((resolve) => setTimeout(resolve, 3000));
		}
	}
});
