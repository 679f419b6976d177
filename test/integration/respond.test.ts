import type { INodeParameters } from 'n8n-workflow';

import { createLab, emulator, runDefender, stopEmulator, type Lab } from '../support/lab';

const mde = (lab: Lab) => lab.emulator;
const device = (value: string) => ({ __rl: true, mode: 'id', value });
const run = async (
	lab: Lab,
	parameters: INodeParameters,
	options: Parameters<typeof runDefender>[2] = {},
) => await runDefender(lab, parameters, options);

afterAll(stopEmulator);
afterEach(async () => {
	const emu = await emulator();
	emu.clearFaults();
	emu.clearQuotas();
	emu.setActionTimeline({ pendingMs: 300, inProgressMs: 300, outcome: 'Succeeded' });
});

async function labWithDevices() {
	const lab = await createLab();
	const emu = mde(lab);
	const laptop = emu.addMachine(lab.tenantId, {
		computerDnsName: 'fin-laptop-7.contoso.local',
		osPlatform: 'Windows11',
		healthStatus: 'Active',
		riskScore: 'High',
		machineTags: ['finance'],
	});
	const twinA = emu.addMachine(lab.tenantId, {
		computerDnsName: 'kiosk.branch-a.contoso.local',
		osPlatform: 'Windows10',
	});
	const twinB = emu.addMachine(lab.tenantId, {
		computerDnsName: 'kiosk.branch-b.contoso.local',
		osPlatform: 'Windows10',
	});
	return { lab, emu, laptop, twinA, twinB };
}

describe('Device › response actions', () => {
	it('isolates a device given by DNS name and, waiting for completion, returns Succeeded after the polls the timing implies', async () => {
		const { lab, emu, laptop } = await labWithDevices();
		// Pending 1.5 s + in progress 1.5 s: the node polls after 2 s (in progress) and after 2 + 4 s (done).
		emu.setActionTimeline({ pendingMs: 1500, inProgressMs: 1500, outcome: 'Succeeded' });
		const [item] = await run(lab, {
			resource: 'machine',
			operation: 'isolate',
			machineId: device('FIN-LAPTOP-7.contoso.local'),
			isolationType: 'Selective',
			comment: 'Contain ransomware',
			waitForCompletion: true,
			waitTimeout: 60,
		});
		expect(item.json).toMatchObject({
			type: 'Isolate',
			status: 'Succeeded',
			machineId: laptop.id,
			requestorComment: 'Contain ransomware',
			scope: 'Selective',
		});
		const polls = lab
			.calls({ api: 'mde', method: 'GET' })
			.filter((request) => /\/api\/machineactions\/[0-9a-f-]{36}$/.test(request.path));
		expect(polls).toHaveLength(2);
		expect(lab.calls({ api: 'mde', method: 'POST' }).map((request) => request.path)).toEqual([
			`/mde/api/machines/${laptop.id}/isolate`,
		]);
	}, 30_000);

	it('without waiting, outputs the Pending action at once; the default comment names the workflow and execution', async () => {
		const { lab, laptop } = await labWithDevices();
		const [item] = await run(lab, {
			resource: 'machine',
			operation: 'runAntivirusScan',
			machineId: device(laptop.id as string),
			scanType: 'Full',
		});
		expect(item.json).toMatchObject({ type: 'RunAntiVirusScan', status: 'Pending', scope: 'Full' });
		expect(String(item.json.requestorComment)).toMatch(/^n8n workflow ".*", execution /);
	});

	it('outputs a compact action (Simplify, on by default since node version 1.1); version 1 keeps the full record; neither starts with @odata.context', async () => {
		const { lab, laptop, twinA } = await labWithDevices();
		const parameters = {
			resource: 'machine',
			operation: 'runAntivirusScan',
			machineId: device(laptop.id as string),
			scanType: 'Quick',
		};
		const [simple] = await run(lab, parameters);
		expect(Object.keys(simple.json)).toEqual([
			'id',
			'type',
			'status',
			'machineId',
			'computerDnsName',
			'requestor',
			'requestorComment',
			'creationDateTimeUtc',
			'lastUpdateDateTimeUtc',
			'scope',
		]);
		const [full] = await run(
			lab,
			{ ...parameters, machineId: device(twinA.id as string) },
			{ typeVersion: 1 },
		);
		expect(Object.keys(full.json)[0]).toBe('id');
		expect(full.json).toHaveProperty('cancellationRequestor');
		expect(full.json).not.toHaveProperty('@odata.context');
	});

	it('a Failed action is an error for its item only (Continue On Fail)', async () => {
		const { lab, emu, laptop } = await labWithDevices();
		emu.setActionTimeline({ pendingMs: 100, inProgressMs: 100, outcome: 'Failed' });
		const items = await run(
			lab,
			{
				resource: 'machine',
				operation: 'collectInvestigationPackage',
				machineId: device('={{ $json.device }}'),
				comment: 'forensics',
				waitForCompletion: true,
				waitTimeout: 30,
			},
			{
				continueOnFail: true,
				inputItems: [{ json: { device: laptop.id } }, { json: { device: 'no-such-host' } }],
			},
		);
		expect(items).toHaveLength(2);
		expect(items[0].json.error).toMatch(
			/CollectInvestigationPackage on fin-laptop-7\.contoso\.local ended Failed/,
		);
		expect(items[1].json.error).toMatch(/No device named "no-such-host"/);
		expect(items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
	}, 30_000);

	it('a wait timeout says the action keeps running', async () => {
		const { lab, emu, laptop } = await labWithDevices();
		emu.setActionTimeline({ pendingMs: 60_000, inProgressMs: 60_000, outcome: 'Succeeded' });
		await expect(
			run(lab, {
				resource: 'machine',
				operation: 'restrictAppExecution',
				machineId: device(laptop.id as string),
				comment: 'x',
				waitForCompletion: true,
				waitTimeout: 3,
			}),
		).rejects.toThrow(/RestrictCodeExecution on .* is still Pending after 3 s/);
	}, 30_000);

	it('an action already pending is explained, or returned when asked', async () => {
		const { lab, emu, laptop } = await labWithDevices();
		emu.setActionTimeline({ pendingMs: 60_000, inProgressMs: 60_000, outcome: 'Succeeded' });
		const [first] = await run(lab, {
			resource: 'machine',
			operation: 'isolate',
			machineId: device(laptop.id as string),
			isolationType: 'Full',
			comment: 'first',
		});
		await expect(
			run(lab, {
				resource: 'machine',
				operation: 'isolate',
				machineId: device(laptop.id as string),
				isolationType: 'Full',
				comment: 'second',
			}),
		).rejects.toThrow(
			new RegExp(
				`A Isolate action is already Pending on fin-laptop-7\\.contoso\\.local since .* \\(action ${String(first.json.id)}`,
			),
		);
		const [again] = await run(lab, {
			resource: 'machine',
			operation: 'isolate',
			machineId: device(laptop.id as string),
			isolationType: 'Full',
			comment: 'third',
			options: { ifRunning: 'returnRunning' },
		});
		expect(again.json.id).toBe(first.json.id);
	});

	it('an ambiguous or unknown name lists the candidates; an invalid SHA-1 is refused before any request', async () => {
		const { lab } = await labWithDevices();
		await expect(
			run(lab, {
				resource: 'machine',
				operation: 'isolate',
				machineId: device('kiosk'),
				comment: 'x',
			}),
		).rejects.toThrow(
			/"kiosk" matches 2 devices, not exactly one: kiosk\.branch-[ab]\.contoso\.local \(.*\); kiosk\.branch-[ab]/,
		);
		const before = lab.calls({ api: 'mde' }).length;
		await expect(
			run(lab, {
				resource: 'machine',
				operation: 'stopAndQuarantineFile',
				machineId: device('fin-laptop-7'),
				sha1: 'abc123',
				comment: 'x',
			}),
		).rejects.toThrow(/SHA-1 "abc123" is not a SHA-1 hash/);
		expect(lab.calls({ api: 'mde' }).length).toBe(before);
	});

	it('resolves a short host name to the one device it starts, and tags it', async () => {
		const { lab, emu, laptop } = await labWithDevices();
		await run(lab, {
			resource: 'machine',
			operation: 'addTag',
			machineId: device('fin-laptop-7'),
			tag: 'isolated-by-n8n',
		});
		expect(emu.getMachine(lab.tenantId, laptop.id as string).machineTags).toEqual([
			'finance',
			'isolated-by-n8n',
		]);
		await run(lab, {
			resource: 'machine',
			operation: 'removeTag',
			machineId: device('fin-laptop-7'),
			tag: 'finance',
		});
		expect(emu.getMachine(lab.tenantId, laptop.id as string).machineTags).toEqual([
			'isolated-by-n8n',
		]);
	});

	it('Get Many filters devices; Machine Action Get Many and Cancel', async () => {
		const { lab, emu, laptop } = await labWithDevices();
		const devices = await run(lab, {
			resource: 'machine',
			operation: 'getAll',
			returnAll: true,
			filters: { name: 'KIOSK', osPlatform: 'Windows10' },
		});
		expect(devices.map((item) => item.json.computerDnsName).sort()).toEqual([
			'kiosk.branch-a.contoso.local',
			'kiosk.branch-b.contoso.local',
		]);
		emu.setActionTimeline({ pendingMs: 60_000, inProgressMs: 60_000, outcome: 'Succeeded' });
		const [action] = await run(lab, {
			resource: 'machine',
			operation: 'release',
			machineId: device(laptop.id as string),
			comment: 'x',
		});
		const listed = await run(lab, {
			resource: 'machineAction',
			operation: 'getAll',
			returnAll: true,
			filters: { machine: 'fin-laptop-7.contoso.local', status: 'Pending' },
		});
		expect(listed.map((item) => item.json.id)).toEqual([action.json.id]);
		const [cancelled] = await run(lab, {
			resource: 'machineAction',
			operation: 'cancel',
			machineActionId: action.json.id as string,
			comment: 'not needed',
		});
		expect(cancelled.json.status).toBe('Cancelled');
		await expect(
			run(lab, { resource: 'machineAction', operation: 'get', machineActionId: 'not-a-guid' }),
		).rejects.toThrow(/is not a machine action ID/);
	});

	it('names the missing permission on 403', async () => {
		const lab = await createLab({ roles: { mde: ['Machine.Read.All'] } });
		const laptop = mde(lab).addMachine(lab.tenantId, { computerDnsName: 'pc.contoso.local' });
		await expect(
			run(lab, {
				resource: 'machine',
				operation: 'isolate',
				machineId: device(laptop.id as string),
				comment: 'x',
			}),
		).rejects.toThrow(/lacks the application permission Machine\.Isolate/);
	});

	it('200 isolate actions over 20 devices stay under the 100-per-window quota: no 429', async () => {
		const lab = await createLab({ quotaWindowSeconds: 2 });
		const emu = mde(lab);
		const ids = Array.from(
			{ length: 200 },
			(_, index) =>
				emu.addMachine(lab.tenantId, { computerDnsName: `pc-${index}.contoso.local` }).id as string,
		);
		emu.setQuota({ category: 'mde', limit: 100, windowMs: 2000 });
		const items = await run(
			lab,
			{
				resource: 'machine',
				operation: 'isolate',
				machineId: device('={{ $json.id }}'),
				isolationType: 'Full',
				comment: 'bulk',
			},
			{ inputItems: ids.map((id) => ({ json: { id } })) },
		);
		expect(items).toHaveLength(200);
		expect(lab.calls({ api: 'mde', status: 429 })).toHaveLength(0);
	}, 60_000);
});

describe.each(['graph', 'defenderXdr'] as const)('Alert on %s', (api) => {
	it('lists, gets and updates alerts with one Simplify shape', async () => {
		const lab = await createLab();
		const emu = mde(lab);
		const alert = emu.createAlert(lab.tenantId, {
			title: 'Suspicious PowerShell',
			severity: 'High',
			status: 'New',
			computerDnsName: 'fin-laptop-7.contoso.local',
		});
		emu.createAlert(lab.tenantId, { title: 'Low noise', severity: 'Low', status: 'New' });
		const listed = await run(lab, {
			api,
			resource: 'alert',
			operation: 'getAll',
			returnAll: true,
			filters: { severity: 'High' },
		});
		// A single severity as saved when the filter was a dropdown, and several as the filter now takes them.
		expect(listed.map((item) => item.json.id)).toEqual([alert.id]);
		const several = await run(lab, {
			api,
			resource: 'alert',
			operation: 'getAll',
			limit: 5,
			filters: { severity: ['High', 'Low'] },
		});
		expect(several.map((item) => item.json.title).sort()).toEqual([
			'Low noise',
			'Suspicious PowerShell',
		]);
		const [high] = await run(lab, {
			api,
			resource: 'alert',
			operation: 'getAll',
			limit: 5,
			filters: { severity: ['High'] },
		});
		expect(high.json.id).toBe(alert.id);
		expect(listed[0].json).toMatchObject({
			title: 'Suspicious PowerShell',
			severity: 'High',
			status: 'New',
			deviceName: 'fin-laptop-7.contoso.local',
		});
		const [updated] = await run(lab, {
			api,
			resource: 'alert',
			operation: 'update',
			alertId: alert.id as string,
			updateFields: {
				status: 'Resolved',
				classification: 'TruePositive',
				determination: 'Malware',
				comment: 'Handled by n8n',
			},
		});
		expect(updated.json).toMatchObject({
			id: alert.id,
			status: 'Resolved',
			classification: 'TruePositive',
			determination: 'Malware',
		});
		expect(emu.getAlert(lab.tenantId, alert.id as string)).toMatchObject({ status: 'Resolved' });
		await expect(
			run(lab, {
				api,
				resource: 'alert',
				operation: 'update',
				alertId: alert.id as string,
				updateFields: { status: 'Closed' },
			}),
		).rejects.toThrow(/Status "Closed" is not valid/);
	});

	it('the Simplify output of one alert is the same on both APIs', async () => {
		const lab = await createLab();
		const alert = mde(lab).createAlert(lab.tenantId, {
			title: 'Same everywhere',
			severity: 'Medium',
		});
		const get = async (choice: string) =>
			(
				await run(lab, {
					api: choice,
					resource: 'alert',
					operation: 'get',
					alertId: alert.id as string,
				})
			)[0].json;
		const graph = await get('graph');
		const xdr = await get('defenderXdr');
		expect({ ...graph, portalUrl: null }).toEqual({ ...xdr, portalUrl: null });
	});
});

describe('Indicator', () => {
	it('infers the type, creates, lists and deletes; refuses an invalid value with no request', async () => {
		const lab = await createLab();
		const sha256 = 'a'.repeat(64);
		const [created] = await run(lab, {
			resource: 'indicator',
			operation: 'create',
			indicatorValue: sha256.toUpperCase(),
			indicatorType: 'auto',
			action: 'Block',
			title: 'Payload',
			description: 'From incident 1',
		});
		expect(created.json).toMatchObject({
			indicatorValue: sha256,
			indicatorType: 'FileSha256',
			action: 'Block',
		});
		const [domain] = await run(lab, {
			resource: 'indicator',
			operation: 'create',
			indicatorValue: 'evil.example',
			action: 'Block',
			title: 'C2',
			description: 'C2 domain',
		});
		expect(domain.json.indicatorType).toBe('DomainName');
		const listed = await run(lab, {
			resource: 'indicator',
			operation: 'getAll',
			returnAll: true,
			filters: { indicatorType: 'FileSha256' },
		});
		expect(listed.map((item) => item.json.id)).toEqual([created.json.id]);
		await run(lab, {
			resource: 'indicator',
			operation: 'delete',
			indicatorId: String(created.json.id),
		});
		expect(
			mde(lab)
				.listIndicators(lab.tenantId)
				.map((indicator) => indicator.id),
		).toEqual([domain.json.id]);

		const before = lab.calls({ api: 'mde' }).length;
		await expect(
			run(lab, {
				resource: 'indicator',
				operation: 'create',
				indicatorValue: 'b'.repeat(63),
				indicatorType: 'FileSha256',
				action: 'Block',
				title: 't',
				description: 'd',
			}),
		).rejects.toThrow(/is not a valid File SHA-256/);
		await expect(
			run(lab, {
				resource: 'indicator',
				operation: 'create',
				indicatorValue: 'not a thing',
				action: 'Block',
				title: 't',
				description: 'd',
			}),
		).rejects.toThrow(/is not a SHA-1, SHA-256 or MD5 hash/);
		expect(lab.calls({ api: 'mde' }).length).toBe(before);
	});
});
