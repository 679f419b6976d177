import type { IDataObject, INodeParameters } from 'n8n-workflow';

import {
	createLab,
	emulator,
	pollTrigger,
	runDefender,
	stopEmulator,
	type Lab,
} from '../support/lab';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Seeded {
	incident: IDataObject & { id: number; alerts: Array<{ id: string }> };
	entities: Array<{ kind: string; value: string; alertIds: string[] }>;
}
interface TriageEmulator {
	seedTriageIncident(tenantId: string, options?: IDataObject): Seeded;
	addMachine(tenantId: string, fields: IDataObject): IDataObject;
	listMachineActions(tenantId: string): IDataObject[];
}

const triage = (lab: Lab) => lab.emulator as unknown as TriageEmulator;
const incidentRef = (id: number | string) => ({ __rl: true, mode: 'id', value: String(id) });
const shortList = (items: Array<{ json: IDataObject }> | Seeded['entities']) =>
	items
		.map(
			(item) =>
				('json' in item ? item.json : item) as { kind: string; value: string; alertIds: string[] },
		)
		.map(({ kind, value, alertIds }) => `${kind}|${value}|${[...alertIds].sort().join(',')}`)
		.sort();

afterAll(stopEmulator);
afterEach(async () => (await emulator()).clearFaults());

describe('Incident › Get Entities', () => {
	it.each(['graph', 'defenderXdr'])(
		'lists every entity of all alerts once, with its alerts, on %s',
		async (api) => {
			const lab = await createLab();
			const seeded = triage(lab).seedTriageIncident(lab.tenantId);
			const items = await runDefender(lab, {
				api,
				resource: 'incident',
				operation: 'getEntities',
				incidentId: incidentRef(seeded.incident.id),
			});
			expect(shortList(items)).toEqual(shortList(seeded.entities));
			expect(items.every((item) => item.json.incidentId === String(seeded.incident.id))).toBe(true);
			expect(
				items.every((item) => JSON.stringify(item.pairedItem) === JSON.stringify({ item: 0 })),
			).toBe(true);
			const device = items.find(
				(item) => item.json.kind === 'device' && (item.json.alertIds as string[]).length === 2,
			)!;
			expect(device.json).toEqual(
				expect.objectContaining({
					deviceName: 'ws-triage1.contoso.local',
					deviceId: expect.stringMatching(/^[0-9a-f]{40}$/),
					osPlatform: 'Windows11',
				}),
			);
			const file = items.find((item) => item.json.kind === 'file')!;
			expect(file.json).toEqual(
				expect.objectContaining({
					sha256: '275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f',
					verdict: 'Malicious',
				}),
			);
			expect(items.find((item) => item.json.kind === 'other')!.json).toEqual(
				expect.objectContaining({ typeName: 'securityGroup', value: 'Domain Admins' }),
			);
		},
	);

	it('filters by entity type and groups by kind', async () => {
		const lab = await createLab();
		const seeded = triage(lab).seedTriageIncident(lab.tenantId);
		const base: INodeParameters = {
			api: 'graph',
			resource: 'incident',
			operation: 'getEntities',
			incidentId: incidentRef(seeded.incident.id),
		};
		const devicesAndIps = await runDefender(lab, { ...base, entityTypes: ['device', 'ip'] });
		expect(devicesAndIps.map((item) => item.json.value).sort()).toEqual([
			'203.0.113.7',
			'srv-triage2.contoso.local',
			'ws-triage1.contoso.local',
		]);
		const [grouped] = await runDefender(lab, {
			...base,
			entityTypes: ['device', 'user'],
			options: { groupByKind: true },
		});
		expect(grouped.json).toEqual(
			expect.objectContaining({
				incidentId: String(seeded.incident.id),
				entityCount: 3,
				files: [],
				ips: [],
			}),
		);
		expect((grouped.json.devices as IDataObject[]).map((device) => device.value).sort()).toEqual([
			'srv-triage2.contoso.local',
			'ws-triage1.contoso.local',
		]);
	});

	it('reads the input items: full incidents without a second download, simplified ones by their ID', async () => {
		const lab = await createLab();
		const seeded = triage(lab).seedTriageIncident(lab.tenantId);
		const [full] = await runDefender(lab, {
			api: 'graph',
			resource: 'incident',
			operation: 'get',
			incidentId: incidentRef(seeded.incident.id),
			simplify: false,
		});
		const before = lab.calls({ api: 'graph' }).length;
		const fromFull = await runDefender(
			lab,
			{ api: 'graph', resource: 'incident', operation: 'getEntities', entitySource: 'input' },
			{ inputItems: [{ json: full.json }] },
		);
		expect(lab.calls({ api: 'graph' })).toHaveLength(before);
		expect(shortList(fromFull)).toEqual(shortList(seeded.entities));
		const fromSimple = await runDefender(
			lab,
			{
				api: 'defenderXdr',
				resource: 'incident',
				operation: 'getEntities',
				entitySource: 'input',
				entityTypes: ['user'],
			},
			{
				inputItems: [
					{ json: { id: String(seeded.incident.id), title: 'x' } },
					{ json: { nothing: true } },
				],
				continueOnFail: true,
			},
		);
		expect(fromSimple.map((item) => [item.json.value ?? item.json.error, item.pairedItem])).toEqual(
			[
				['carol@contoso.com', { item: 0 }],
				[
					'The input item is not an incident: it has neither alerts nor an incident ID.',
					{ item: 1 },
				],
			],
		);
	});
});

describe('Alert › Get Entities', () => {
	it.each(['graph', 'defenderXdr'])(
		'lists the entities of one alert on %s, by ID and from an input alert',
		async (api) => {
			const lab = await createLab();
			const seeded = triage(lab).seedTriageIncident(lab.tenantId);
			const alertId = seeded.incident.alerts[1].id;
			const expected = seeded.entities
				.filter((entity) => entity.alertIds.includes(alertId))
				.map((entity) => ({ ...entity, alertIds: [alertId] }));
			const byId = await runDefender(lab, {
				api,
				resource: 'alert',
				operation: 'getEntities',
				alertId,
			});
			expect(shortList(byId)).toEqual(shortList(expected));
			expect(byId[0].json.incidentId).toBe(String(seeded.incident.id));
			const alerts = await runDefender(lab, {
				api,
				resource: 'alert',
				operation: 'getAll',
				returnAll: true,
				filters: { incidentId: String(seeded.incident.id) },
				simplify: true,
			});
			const fromInput = await runDefender(
				lab,
				{
					api,
					resource: 'alert',
					operation: 'getEntities',
					entitySource: 'input',
					entityTypes: ['device'],
				},
				{ inputItems: alerts.map((item) => ({ json: item.json })) },
			);
			expect(fromInput.map((item) => [item.json.value, item.pairedItem])).toEqual(
				alerts.map((item, index) => [item.json.deviceName, { item: index }]),
			);
		},
	);
});

describe('chat messages', () => {
	it('Incident Get adds a Slack message with counts, top entities and the portal URL the API returned', async () => {
		const lab = await createLab();
		const seeded = triage(lab).seedTriageIncident(lab.tenantId, {
			title: '<!channel> *urgent* & more',
		});
		const [item] = await runDefender(lab, {
			api: 'graph',
			resource: 'incident',
			operation: 'get',
			incidentId: incidentRef(seeded.incident.id),
			options: {
				chatMessageFormat: 'slack',
				chatApproveUrl: 'https://n8n.example/approve',
				chatRejectUrl: 'https://n8n.example/reject',
			},
		});
		expect(item.json.id).toBe(String(seeded.incident.id));
		const message = item.json.chatMessage as { text: string; blocks: Array<Json> };
		expect(message.blocks[0].text).toEqual({
			type: 'plain_text',
			text: `🔴 Incident ${seeded.incident.id}: <!channel> *urgent* & more`,
			emoji: true,
		});
		expect(message.text).toContain('&lt;!channel&gt; *urgent* &amp; more');
		const texts = message.blocks
			.flatMap((block) => [
				block.text?.text,
				...(block.fields ?? []).map((field: IDataObject) => field.text),
			])
			.filter(Boolean);
		expect(texts).toEqual(
			expect.arrayContaining([
				'Alerts: 3',
				`Entities: ${seeded.entities.length}`,
				'Devices (2)\n• ws-triage1.contoso.local\n• srv-triage2.contoso.local',
				'Users (1)\n• carol@contoso.com',
			]),
		);
		expect(message.blocks.at(-1)!.elements.map((button: IDataObject) => button.url)).toEqual([
			`https://security.microsoft.com/incidents/${seeded.incident.id}?tid=${lab.tenantId}`,
			'https://n8n.example/approve',
			'https://n8n.example/reject',
		]);
	});

	it.each(['graph', 'defenderXdr'])(
		'Get Many on %s with Include Alerts off: the chat message still counts the alerts and names devices and users; the output leaves the alerts out',
		async (api) => {
			const lab = await createLab();
			triage(lab).seedTriageIncident(lab.tenantId);
			const [item] = await runDefender(lab, {
				api,
				resource: 'incident',
				operation: 'getAll',
				returnAll: true,
				filters: {},
				options: { chatMessageFormat: 'markdown' },
			});
			expect(item.json.chatMessage).toEqual(expect.stringContaining('Alerts: 3'));
			expect(item.json.chatMessage).toEqual(
				expect.stringContaining('Devices (2):\n• ws-triage1.contoso.local'),
			);
			expect(item.json.chatMessage).toEqual(
				expect.stringMatching(/Users \(1\):\n• \w+@contoso\.com/),
			);
			expect(item.json.alerts).toBeUndefined();
		},
	);

	it('Get Many adds a Teams card per incident; an invalid approve URL fails the item', async () => {
		const lab = await createLab();
		triage(lab).seedTriageIncident(lab.tenantId);
		triage(lab).seedTriageIncident(lab.tenantId, { severity: 'Low' });
		const items = await runDefender(lab, {
			api: 'defenderXdr',
			resource: 'incident',
			operation: 'getAll',
			returnAll: true,
			filters: {},
			options: { includeAlerts: true, chatMessageFormat: 'teams' },
		});
		expect(items).toHaveLength(2);
		for (const item of items) {
			const card = (
				(item.json.chatMessage as IDataObject).attachments as Array<{ content: IDataObject }>
			)[0].content;
			expect(card).toEqual(expect.objectContaining({ type: 'AdaptiveCard', version: '1.4' }));
			expect(JSON.stringify(card)).toContain('Devices (2)');
			expect(Buffer.byteLength(JSON.stringify(item.json.chatMessage))).toBeLessThanOrEqual(28_000);
		}
		expect(
			items.map(
				(item) =>
					(
						(item.json.chatMessage as IDataObject).attachments as Array<{
							content: { body: IDataObject[] };
						}>
					)[0].content.body[0].style,
			),
		).toEqual(['accent', 'attention']);
		await expect(
			runDefender(lab, {
				api: 'graph',
				resource: 'incident',
				operation: 'getAll',
				options: { chatMessageFormat: 'slack', chatApproveUrl: 'javascript:alert(1)' },
			}),
		).rejects.toThrow(/Chat Approve URL "javascript:alert\(1\)" is not an http\(s\) URL/);
	});

	it('Alert Get on the Defender for Endpoint API links to the portal of the credential (the API gives no URL)', async () => {
		const lab = await createLab();
		const seeded = triage(lab).seedTriageIncident(lab.tenantId);
		const alertId = seeded.incident.alerts[2].id;
		const [item] = await runDefender(lab, {
			api: 'defenderXdr',
			resource: 'alert',
			operation: 'get',
			alertId,
			options: { chatMessageFormat: 'markdown' },
		});
		expect(item.json.id).toBe(alertId);
		const text = item.json.chatMessage as string;
		expect(text.split('\n')[0]).toBe(`🔴 Alert ${alertId}: Phishing email delivered`);
		expect(text).toContain('Devices (1):\n• srv-triage2.contoso.local');
		expect(text).toContain(
			`[Open in Defender](https://security.microsoft.com/alerts/${alertId}?tid=${lab.tenantId})`,
		);
		expect(lab.calls({ api: 'mde', method: 'GET' }).at(-1)!.query).toEqual({ $expand: 'evidence' });
	});

	it('the trigger adds the message to each new incident', async () => {
		const lab = await createLab();
		const staticData: IDataObject = {};
		const parameters: INodeParameters = {
			api: 'graph',
			event: 'incidentCreated',
			options: { includeAlerts: true, chatMessageFormat: 'markdown', overlapMinutes: 1 },
		};
		const first = await pollTrigger(lab, parameters, staticData);
		expect(first.result).toBeNull();
		const seeded = triage(lab).seedTriageIncident(lab.tenantId);
		const { result } = await pollTrigger(lab, parameters, first.staticData);
		const [item] = result![0];
		expect(item.json.id).toBe(String(seeded.incident.id));
		expect(item.json.chatMessage).toEqual(expect.stringContaining('Files (1):\n• invoice.exe'));
	});
});

describe('Trigger › New Alert › entities', () => {
	it.each(['graph', 'defenderXdr'])(
		'carries the evidence on %s: Get Entities reads it from the item, the chat message lists it',
		async (api) => {
			const lab = await createLab();
			const seeded = triage(lab).seedTriageIncident(lab.tenantId);
			const parameters: INodeParameters = {
				api,
				event: 'alertCreated',
				options: { backfillFrom: new Date(Date.now() - 3_600_000).toISOString() },
				simplify: false,
			};
			const { result } = await pollTrigger(lab, parameters, {});
			const alertItems = result![0];
			expect(alertItems.map((item) => item.json.id).sort()).toEqual(
				seeded.incident.alerts.map((alert) => alert.id).sort(),
			);
			const before = lab.calls().length;
			const entities = await runDefender(
				lab,
				{ api, resource: 'alert', operation: 'getEntities', entitySource: 'input' },
				{ inputItems: alertItems.map((item) => ({ json: item.json })) },
			);
			expect(lab.calls().slice(before)).toEqual([]); // nothing downloaded again
			const kindAndValue = (list: Array<{ kind: string; value: string }>) => [
				...new Set(list.map(({ kind, value }) => `${kind}|${value}`)),
			];
			expect(
				kindAndValue(entities.map((item) => item.json as { kind: string; value: string })).sort(),
			).toEqual(kindAndValue(seeded.entities).sort());

			const simplified = await pollTrigger(
				lab,
				{
					...parameters,
					simplify: true,
					options: { ...(parameters.options as IDataObject), chatMessageFormat: 'markdown' },
				},
				{},
			);
			const phishing = simplified.result![0].find(
				(item) => item.json.title === 'Phishing email delivered',
			)!;
			expect(phishing.json.chatMessage).toEqual(
				expect.stringContaining('Devices (1):\n• srv-triage2.contoso.local'),
			);
		},
	);
});

describe('Advanced Hunting › templates', () => {
	it.each(['graph', 'defenderXdr'])(
		'runs a template for an entity from the input on %s; quotes cannot change the query',
		async (api) => {
			const lab = await createLab();
			const base: INodeParameters = {
				api,
				resource: 'huntingQuery',
				operation: 'run',
				querySource: 'template',
				template: 'deviceProcessEvents',
				entityValue: '={{ $json.value }}',
				lookBackHours: 72,
			};
			const rows = await runDefender(lab, base, {
				inputItems: [
					{ json: { value: 'WS-0101.contoso.local' } },
					{ json: { value: 'ws-0101.contoso.local" or DeviceName != "' } },
				],
			});
			expect(rows.map((row) => [row.json.FileName, row.pairedItem])).toEqual([
				['certutil.exe', { item: 0 }],
				['powershell.exe', { item: 0 }],
			]);
			const prevalence = await runDefender(lab, {
				...base,
				template: 'filePrevalence',
				entityValue: '275A021BBFB6489E54D471899F7DB9D1663FC695EC2FE2A2C4538AABF651FD0F',
				lookBackHours: 720,
			});
			expect(prevalence.map((row) => row.json.DeviceName).sort()).toEqual([
				'ws-0101.contoso.local',
				'ws-0102.contoso.local',
			]);
			await expect(
				runDefender(lab, { ...base, template: 'filePrevalence', entityValue: 'invoice.exe' }),
			).rejects.toThrow(/"invoice.exe" is not a file hash/);
		},
	);

	it('a short device name matches the full DNS name, as in the portal; the query that ran is in the output', async () => {
		const lab = await createLab();
		const base: INodeParameters = {
			api: 'graph',
			resource: 'huntingQuery',
			operation: 'run',
			querySource: 'template',
			template: 'deviceProcessEvents',
			entityValue: 'WS-0101',
			lookBackHours: 36,
			output: 'single',
		};
		const [item] = await runDefender(lab, base);
		expect((item.json.rows as IDataObject[]).map((row) => row.FileName)).toEqual([
			'certutil.exe',
			'powershell.exe',
		]);
		expect(item.json.query).toBe(
			'DeviceProcessEvents\n| where Timestamp > ago(36h)\n| where DeviceName =~ "WS-0101" or DeviceName startswith "WS-0101." or DeviceId == "WS-0101"\n' +
				'| project Timestamp, DeviceName, AccountDomain, AccountName, FileName, FolderPath, ProcessCommandLine, SHA256, InitiatingProcessFileName\n| order by Timestamp desc\n| take 1000',
		);
		expect(item.json.timespan).toBe('PT36H');
		// A host name is not a prefix of another device's name.
		const [none] = await runDefender(lab, { ...base, entityValue: 'ws-01' });
		expect(none.json.rowCount).toBe(0);
		// A workflow saved by node version 1 keeps its Look Back (Days).
		const { lookBackHours: _hours, ...version1 } = base;
		const [saved] = await runDefender(lab, { ...version1, lookBackDays: 2 }, { typeVersion: 1 });
		expect(saved.json.timespan).toBe('P2D');
		expect(saved.json.query).toMatch(/ago\(48h\)/);
	});

	it('finds the alerts that mention an entity (AlertEvidence)', async () => {
		const lab = await createLab();
		const seeded = triage(lab).seedTriageIncident(lab.tenantId);
		const rows = await runDefender(lab, {
			api: 'graph',
			resource: 'huntingQuery',
			operation: 'run',
			querySource: 'template',
			template: 'alertsForEntity',
			entityValue: '203.0.113.7',
			lookBackHours: 24,
		});
		expect(rows.map((row) => row.json.AlertId).sort()).toEqual(
			[seeded.incident.alerts[0].id, seeded.incident.alerts[1].id].sort(),
		);
	});
});

describe('protected devices', () => {
	async function protectedLab() {
		const lab = await createLab();
		const vip = triage(lab).addMachine(lab.tenantId, {
			computerDnsName: 'ceo-laptop.contoso.local',
			machineTags: ['VIP'],
		});
		const dc = triage(lab).addMachine(lab.tenantId, {
			computerDnsName: 'dc01.contoso.local',
			machineTags: [],
		});
		const plain = triage(lab).addMachine(lab.tenantId, {
			computerDnsName: 'ws-42.contoso.local',
			machineTags: [],
		});
		const credentials = { ...lab.credentials, protectedDevices: 'tag:vip\nname:dc*' };
		return { lab, vip, dc, plain, credentials };
	}
	const machine = (value: unknown) => ({ __rl: true, mode: 'id', value: String(value) });

	it('refuses every response action on a protected device before sending it, naming the rule', async () => {
		const { lab, vip, dc, credentials } = await protectedLab();
		const attempts: INodeParameters[] = [
			{ operation: 'isolate', machineId: machine(vip.id), isolationType: 'Full', comment: 'x' },
			{
				operation: 'restrictAppExecution',
				machineId: machine('ceo-laptop.contoso.local'),
				comment: 'x',
			},
			{ operation: 'runAntivirusScan', machineId: machine(dc.id), scanType: 'Quick', comment: 'x' },
			{
				operation: 'stopAndQuarantineFile',
				machineId: machine('dc01'),
				sha1: '3395856ce81f2b7382dee72602f798b642f14140',
				comment: 'x',
			},
			{ operation: 'collectInvestigationPackage', machineId: machine(vip.id), comment: 'x' },
			{ operation: 'removeTag', machineId: machine(vip.id), tag: 'VIP' },
		];
		for (const attempt of attempts) {
			const [item] = await runDefender(
				lab,
				{ resource: 'machine', ...attempt },
				{ credentials, continueOnFail: true },
			);
			expect(item.json.error).toMatch(
				/^Device (ceo-laptop|dc01)\.contoso\.local is protected: its (tag "VIP"|name "dc01\.contoso\.local") matches the rule "(tag:vip|name:dc\*)" in the credential's Protected Devices/,
			);
		}
		expect(lab.calls({ api: 'mde', method: 'POST' })).toEqual([]);
		expect(triage(lab).listMachineActions(lab.tenantId)).toEqual([]);
	});

	it('acts on other devices, and releases a protected one', async () => {
		const { lab, vip, plain, credentials } = await protectedLab();
		const [isolated] = await runDefender(
			lab,
			{ resource: 'machine', operation: 'isolate', machineId: machine(plain.id), comment: 'x' },
			{ credentials },
		);
		expect(isolated.json).toEqual(
			expect.objectContaining({ type: 'Isolate', machineId: plain.id }),
		);
		const [released] = await runDefender(
			lab,
			{ resource: 'machine', operation: 'release', machineId: machine(vip.id), comment: 'x' },
			{ credentials },
		);
		expect(released.json).toEqual(
			expect.objectContaining({ type: 'Unisolate', machineId: vip.id }),
		);
		const [tagged] = await runDefender(
			lab,
			{ resource: 'machine', operation: 'addTag', machineId: machine(vip.id), tag: 'watch' },
			{ credentials },
		);
		expect(tagged.json.machineTags).toEqual(['VIP', 'watch']);
	});
});
