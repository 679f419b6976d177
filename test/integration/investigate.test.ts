import { createHash } from 'node:crypto';
import { inflateRawSync } from 'node:zlib';

import type { IDataObject, INodeParameters } from 'n8n-workflow';

import {
	createLab,
	emulator,
	FULL_ROLES,
	runDefender,
	stopEmulator,
	type Lab,
} from '../support/lab';

interface InvestigateEmulator {
	addMachine(tenantId: string, fields: IDataObject): IDataObject;
	setActionTimeline(timeline: {
		pendingMs: number;
		inProgressMs: number;
		outcome: 'Succeeded' | 'Failed' | 'TimeOut';
	}): void;
	listMachineActions(tenantId: string): IDataObject[];
	addLibraryFile(tenantId: string, spec: { fileName: string; content: string }): IDataObject;
	setDeviceFile(tenantId: string, machineId: string, path: string, content: string): void;
	setScriptResult(
		tenantId: string,
		scriptName: string,
		result: { exit_code?: number; script_output?: string; script_errors?: string },
	): void;
	setLinkLifetime(spec: { lifetimeMs?: number; expireNext?: number }): void;
	investigationPackage(tenantId: string, actionId: string): string | null;
	setLogonUsers(tenantId: string, machineId: string, users: IDataObject[]): IDataObject[];
	addIpAssignment(tenantId: string, machineId: string, ip: string, at: string | number): void;
	addVulnerability(tenantId: string, fields: IDataObject): IDataObject;
	addSoftware(tenantId: string, fields: IDataObject): IDataObject;
	addRecommendation(tenantId: string, fields: IDataObject): IDataObject;
}

const investigate = (lab: Lab) => lab.emulator as unknown as InvestigateEmulator & Lab['emulator'];
const device = (value: string) => ({ __rl: true, mode: 'id', value });
const run = async (
	lab: Lab,
	parameters: INodeParameters,
	options: Parameters<typeof runDefender>[2] = {},
) => await runDefender(lab, parameters, options);

/** The entries of a stored (uncompressed or deflated) ZIP, by name. */
function unzip(zip: Buffer): Record<string, string> {
	const entries: Record<string, string> = {};
	for (let offset = 0; zip.readUInt32LE(offset) === 0x04034b50;) {
		const method = zip.readUInt16LE(offset + 8);
		const size = zip.readUInt32LE(offset + 18);
		const nameLength = zip.readUInt16LE(offset + 26);
		const extraLength = zip.readUInt16LE(offset + 28);
		const name = zip.subarray(offset + 30, offset + 30 + nameLength).toString('utf8');
		const start = offset + 30 + nameLength + extraLength;
		const data = zip.subarray(start, start + size);
		entries[name] = (method === 8 ? inflateRawSync(data) : data).toString('utf8');
		offset = start + size;
	}
	return entries;
}

const binaryBuffer = (data: string) => Buffer.from(data, 'base64');

afterAll(stopEmulator);
afterEach(async () => {
	const emu = (await emulator()) as unknown as InvestigateEmulator &
		Awaited<ReturnType<typeof emulator>>;
	emu.clearFaults();
	emu.clearQuotas();
	emu.setActionTimeline({ pendingMs: 300, inProgressMs: 300, outcome: 'Succeeded' });
	emu.setLinkLifetime({});
});

async function labWithDevice(roles?: Partial<typeof FULL_ROLES>) {
	const lab = await createLab(roles ? { roles } : {});
	const emu = investigate(lab);
	const laptop = emu.addMachine(lab.tenantId, {
		computerDnsName: 'fin-laptop-7.contoso.local',
		lastIpAddress: '10.1.2.3',
	});
	emu.setActionTimeline({ pendingMs: 100, inProgressMs: 100, outcome: 'Succeeded' });
	return { lab, emu, laptop };
}

/** Run Live Response as node version 1.1 saves it: one group per command type. */
const liveResponse = (
	laptopId: string,
	commands: INodeParameters,
	extra: INodeParameters = {},
): INodeParameters => ({
	resource: 'machine',
	operation: 'runLiveResponse',
	machineId: device(laptopId),
	commands,
	comment: 'triage',
	waitForCompletion: true,
	waitTimeout: 30,
	...extra,
});
const fromLibrary = (value: string) => ({ __rl: true, mode: 'list', value });
const script = (name: string, args = '') => ({ scriptName: fromLibrary(name), args });

describe('Device › Run Live Response', () => {
	it('runs a library script and collects a file in one session, then outputs the script result and the file as binary data', async () => {
		const { lab, emu, laptop } = await labWithDevice();
		emu.addLibraryFile(lab.tenantId, { fileName: 'collect.ps1', content: 'Get-Process' });
		emu.setScriptResult(lab.tenantId, 'collect.ps1', {
			exit_code: 3,
			script_output: 'found 2 processes',
			script_errors: 'access denied to 1',
		});
		emu.setDeviceFile(
			lab.tenantId,
			laptop.id as string,
			'C:\\Windows\\Temp\\dropper.log',
			'downloaded payload.bin',
		);
		// Added in the editor as Get File, Run Script, Put File: sent in the order Defender requires.
		const [item] = await run(
			lab,
			liveResponse(laptop.id as string, {
				getFile: [{ path: 'C:\\Windows\\Temp\\dropper.log' }],
				runScript: [script('collect.ps1', '-Days 7')],
				putFile: [{ fileName: { __rl: true, mode: 'name', value: 'collect.ps1' } }],
			}),
		);
		expect(item.json).toMatchObject({
			type: 'LiveResponse',
			status: 'Succeeded',
			requestorComment: 'triage',
		});
		expect(item.json.scripts).toEqual([
			{
				index: 1,
				scriptName: 'collect.ps1',
				args: '-Days 7',
				exitCode: 3,
				output: 'found 2 processes',
				errors: 'access denied to 1',
			},
		]);
		expect(item.json.files).toEqual([
			{
				index: 2,
				path: 'C:\\Windows\\Temp\\dropper.log',
				binaryPropertyName: 'data',
				fileName: 'dropper.log.zip',
				size: expect.any(Number),
			},
		]);
		expect(item.binary?.data).toMatchObject({
			fileName: 'dropper.log.zip',
			mimeType: 'application/zip',
		});
		expect(unzip(binaryBuffer(item.binary!.data.data))).toEqual({
			'dropper.log': 'downloaded payload.bin',
		});
		// The session body carries the commands in Defender's order.
		const [action] = emu.listMachineActions(lab.tenantId);
		expect((action.commands as IDataObject[]).map((command) => command.command)).toEqual([
			{ type: 'PutFile', params: [{ key: 'FileName', value: 'collect.ps1' }] },
			{
				type: 'RunScript',
				params: [
					{ key: 'ScriptName', value: 'collect.ps1' },
					{ key: 'Args', value: '-Days 7' },
				],
			},
			{ type: 'GetFile', params: [{ key: 'Path', value: 'C:\\Windows\\Temp\\dropper.log' }] },
		]);
		// The storage links were opened without the bearer token (the emulator refuses one there).
		expect(lab.calls({ api: 'blob' }).map((request) => request.status)).toEqual([200, 200]);
	}, 30_000);

	it('several collected files go into data, data_1, …', async () => {
		const { lab, emu, laptop } = await labWithDevice();
		emu.setDeviceFile(lab.tenantId, laptop.id as string, 'C:\\a.txt', 'first');
		emu.setDeviceFile(lab.tenantId, laptop.id as string, 'C:\\b.txt', 'second');
		const [item] = await run(
			lab,
			liveResponse(
				laptop.id as string,
				{ getFile: [{ path: 'C:\\a.txt' }, { path: 'C:\\b.txt' }] },
				{ binaryPropertyName: 'evidence' },
			),
		);
		expect(Object.keys(item.binary ?? {})).toEqual(['evidence', 'evidence_1']);
		expect(unzip(binaryBuffer(item.binary!.evidence_1.data))).toEqual({ 'b.txt': 'second' });
	}, 30_000);

	it('fetches a new result link when the first one has already expired', async () => {
		const { lab, emu, laptop } = await labWithDevice();
		emu.setDeviceFile(lab.tenantId, laptop.id as string, 'C:\\a.txt', 'first');
		emu.setLinkLifetime({ expireNext: 1 });
		const [item] = await run(
			lab,
			liveResponse(laptop.id as string, { getFile: [{ path: 'C:\\a.txt' }] }),
		);
		expect(unzip(binaryBuffer(item.binary!.data.data))).toEqual({ 'a.txt': 'first' });
		expect(
			lab
				.calls({ api: 'mde' })
				.filter((request) => request.path.includes('GetLiveResponseResultDownloadLink')),
		).toHaveLength(2);
		expect(lab.calls({ api: 'blob' }).map((request) => request.status)).toEqual([403, 200]);
	}, 30_000);

	it('a script that ran before a later command failed: its output and exit code come with the failure', async () => {
		const { lab, emu, laptop } = await labWithDevice();
		emu.addLibraryFile(lab.tenantId, { fileName: 'collect.ps1', content: 'Get-Process' });
		emu.setScriptResult(lab.tenantId, 'collect.ps1', {
			exit_code: 0,
			script_output: 'quarantined 3 files',
		});
		emu.setDeviceFile(lab.tenantId, laptop.id as string, 'C:\\a.txt', 'first');
		const parameters = liveResponse(laptop.id as string, {
			runScript: [script('collect.ps1')],
			getFile: [{ path: 'C:\\a.txt' }, { path: 'C:\\missing.txt' }, { path: 'C:\\a.txt' }],
		});
		// Continue On Fail: the item carries what completed, files included, beside the error.
		const [item] = await run(lab, parameters, { continueOnFail: true });
		expect(item.json.error).toMatch(/LiveResponse on fin-laptop-7\.contoso\.local ended Failed/);
		expect(item.json.description).toMatch(
			/Command 3 of 4 \(Get File C:\\missing\.txt\) failed.*; the command after it did not run\./,
		);
		expect(item.json.scripts).toEqual([
			expect.objectContaining({
				scriptName: 'collect.ps1',
				exitCode: 0,
				output: 'quarantined 3 files',
			}),
		]);
		expect(item.json.files).toEqual([expect.objectContaining({ path: 'C:\\a.txt', index: 1 })]);
		expect(unzip(binaryBuffer(item.binary!.data.data))).toEqual({ 'a.txt': 'first' });
		// Without it, the error's description carries the script's result.
		await expect(run(lab, parameters)).rejects.toMatchObject({
			description: expect.stringMatching(
				/Completed before the failure: Run Script collect\.ps1 completed with exit code 0; output: "quarantined 3 files"\. Get File C:\\a\.txt completed/,
			),
		});
	}, 30_000);

	it('a script missing from the library is named before anything is sent', async () => {
		const { lab, emu, laptop } = await labWithDevice();
		emu.addLibraryFile(lab.tenantId, { fileName: 'collect.ps1', content: 'Get-Process' });
		const [item] = await run(
			lab,
			liveResponse(laptop.id as string, { runScript: [script('collect.ps1'), script('nope.ps1')] }),
			{ continueOnFail: true },
		);
		expect(item.json.error).toBe(
			'Script nope.ps1 is not in the live response library (command 2 of 2, Run Script).',
		);
		expect(item.json.description).toMatch(/Live Response Library → Upload/);
		expect(lab.calls({ api: 'mde', method: 'POST' })).toHaveLength(0);
	});

	it('without Library.Manage the library is not read: Defender fails the script, and no later command is claimed', async () => {
		const { lab, laptop } = await labWithDevice({
			...FULL_ROLES,
			mde: ['Machine.Read.All', 'Machine.LiveResponse'],
		});
		const [item] = await run(
			lab,
			liveResponse(laptop.id as string, { runScript: [script('nope.ps1')] }),
			{ continueOnFail: true },
		);
		expect(item.json.error).toMatch(/ended Failed/);
		expect(item.json.description).toMatch(
			/^Command 1 of 1 \(Run Script nope\.ps1\) failed: [^;]*\. /,
		);
		expect(item.json.description).not.toMatch(/after it/);
		expect(lab.calls({ api: 'mde', method: 'POST' })).toHaveLength(1);
	}, 30_000);

	it('a list saved by node version 1 runs as saved when its order is one Defender accepts', async () => {
		const { lab, emu, laptop } = await labWithDevice();
		emu.addLibraryFile(lab.tenantId, { fileName: 'collect.ps1', content: 'Get-Process' });
		emu.setDeviceFile(lab.tenantId, laptop.id as string, 'C:\\a.txt', 'first');
		const [item] = await run(
			lab,
			liveResponse(laptop.id as string, {
				command: [
					{ type: 'runScript', scriptName: 'collect.ps1', args: '-Days 7' },
					{ type: 'getFile', path: 'C:\\a.txt' },
				],
			}),
			{ typeVersion: 1 },
		);
		expect(item.json.status).toBe('Succeeded');
		expect(item.json.scripts).toEqual([
			expect.objectContaining({
				scriptName: 'collect.ps1',
				output: 'collect.ps1 ran with -Days 7',
			}),
		]);
	}, 30_000);

	it('a list saved by node version 1 in an order Defender refuses is refused before sending, naming the order', async () => {
		const { lab, emu, laptop } = await labWithDevice();
		emu.addLibraryFile(lab.tenantId, { fileName: 'collect.ps1', content: 'Get-Process' });
		const [item] = await run(
			lab,
			liveResponse(laptop.id as string, {
				command: [
					{ type: 'runScript', scriptName: 'collect.ps1' },
					{ type: 'getFile', path: 'C:\\a.txt' },
					{ type: 'runScript', scriptName: 'collect.ps1' },
				],
			}),
			{ continueOnFail: true, typeVersion: 1 },
		);
		expect(item.json.error).toBe(
			'Command 3 (Run Script) comes after command 2 (Get File): Defender runs live response commands only in the order Put File, then Run Script, then Get File, and refuses any other order.',
		);
		expect(item.json.description).toMatch(/Drag the commands into that order/);
		expect(lab.calls({ api: 'mde' })).toHaveLength(0);
	});

	it('explains a session already open on the device, whether or not the API lists it as an action', async () => {
		const { lab, emu, laptop } = await labWithDevice();
		emu.addLibraryFile(lab.tenantId, { fileName: 'collect.ps1', content: 'Get-Process' });
		emu.setActionTimeline({ pendingMs: 60_000, inProgressMs: 60_000, outcome: 'Succeeded' });
		const commands = { runScript: [script('collect.ps1')] };
		const first = await run(
			lab,
			liveResponse(laptop.id as string, commands, { waitForCompletion: false }),
		);
		expect(first[0].json).toMatchObject({ type: 'LiveResponse', status: 'Pending' });
		const [listed] = await run(lab, liveResponse(laptop.id as string, commands), {
			continueOnFail: true,
		});
		expect(listed.json.error).toMatch(
			/A live response action is already Pending on fin-laptop-7\.contoso\.local since .* \(action [0-9a-f-]{36}/,
		);
		expect(listed.json.description).toMatch(/one live response session per device/);

		// A portal session is not a machine action: Defender's code alone tells what happened.
		lab.emulator.injectFault({
			match: { path: '/runliveresponse' },
			times: 1,
			fault: {
				status: 400,
				body: {
					error: {
						code: 'ActiveRequestAlreadyExists',
						message: 'Action is already in progress',
						target: 'x',
					},
				},
			},
		});
		const other = emu.addMachine(lab.tenantId, { computerDnsName: 'srv-02.contoso.local' });
		const [portal] = await run(lab, liveResponse(String(other.computerDnsName), commands), {
			continueOnFail: true,
		});
		expect(portal.json.error).toBe(
			'Defender refused the live response request: one is already active on srv-02.contoso.local (ActiveRequestAlreadyExists).',
		);
		expect(portal.json.description).toMatch(/close it in the portal/);
	}, 30_000);

	it('checks the commands before sending anything', async () => {
		const { lab, laptop } = await labWithDevice();
		const [item] = await run(
			lab,
			liveResponse(laptop.id as string, {
				getFile: [{ path: 'C:\\a.txt' }],
				runScript: [script('  ')],
			}),
			{ continueOnFail: true },
		);
		expect(item.json.error).toBe(
			'Run Script 1: pick or enter the name of a script in the live response library.',
		);
		const [saved] = await run(
			lab,
			liveResponse(laptop.id as string, {
				command: [
					{ type: 'getFile', path: 'C:\\a.txt' },
					{ type: 'runScript', scriptName: '' },
				],
			}),
			{ continueOnFail: true, typeVersion: 1 },
		);
		expect(saved.json.error).toBe(
			'Command 2 (Run Script): pick or enter the name of a script in the live response library.',
		);
		expect(lab.calls({ api: 'mde' })).toHaveLength(0);
	});

	it('keeps to 10 sessions a minute: 12 devices at once meet no 429', async () => {
		const { lab, emu } = await labWithDevice();
		emu.setActionTimeline({ pendingMs: 60_000, inProgressMs: 60_000, outcome: 'Succeeded' });
		const devices = Array.from({ length: 12 }, (_, i) =>
			emu.addMachine(lab.tenantId, { computerDnsName: `ws-${i}.contoso.local` }),
		);
		emu.setDeviceFile(lab.tenantId, devices[0].id as string, 'C:\\a.txt', 'x');
		// The emulator enforces the documented 10 per minute (the lab's minute lasts one second).
		lab.emulator.setQuota({ category: 'liveResponse', limit: 10, windowMs: 1000 });
		const items = await run(
			lab,
			liveResponse(
				'={{ $json.id }}',
				{ getFile: [{ path: 'C:\\a.txt' }] },
				{
					waitForCompletion: false,
				},
			),
			{ inputItems: devices.map((d) => ({ json: { id: d.id } })) },
		);
		expect(items.map((item) => item.json.status)).toEqual(Array(12).fill('Pending'));
		expect(lab.calls({ api: 'mde', method: 'POST' }).map((request) => request.status)).toEqual(
			Array(12).fill(201),
		);
	}, 30_000);

	it('names Machine.LiveResponse when the app lacks it', async () => {
		const { lab, laptop } = await labWithDevice({ ...FULL_ROLES, mde: ['Machine.Read.All'] });
		await expect(
			run(lab, liveResponse(laptop.id as string, { getFile: [{ path: 'C:\\a.txt' }] })),
		).rejects.toThrow(/lacks the application permission Machine\.LiveResponse/);
	});
});

describe('Device › Collect Investigation Package with Download Package', () => {
	it('waits, strips the quotes around the package link and outputs the ZIP', async () => {
		const { lab, emu } = await labWithDevice();
		const [item] = await run(lab, {
			resource: 'machine',
			operation: 'collectInvestigationPackage',
			machineId: device('fin-laptop-7'),
			comment: 'forensics',
			waitForCompletion: true,
			waitTimeout: 30,
			downloadPackage: true,
			binaryPropertyName: 'package',
		});
		expect(item.json).toMatchObject({ type: 'CollectInvestigationPackage', status: 'Succeeded' });
		expect(item.binary?.package).toMatchObject({
			fileName: `investigation-package-fin-laptop-7-${String(item.json.id)}.zip`,
			mimeType: 'application/zip',
		});
		expect(item.binary!.package.data).toBe(
			emu.investigationPackage(lab.tenantId, String(item.json.id)),
		);
		expect(Object.keys(unzip(binaryBuffer(item.binary!.package.data)))).toContain(
			'Processes/processes.csv',
		);
		expect(
			lab.calls({ api: 'mde' }).filter((request) => request.path.endsWith('/GetPackageUri')),
		).toHaveLength(1);
	}, 30_000);

	it('without Download Package, no link is asked for', async () => {
		const { lab, laptop } = await labWithDevice();
		const [item] = await run(lab, {
			resource: 'machine',
			operation: 'collectInvestigationPackage',
			machineId: device(laptop.id as string),
			comment: 'x',
			waitForCompletion: true,
			waitTimeout: 30,
		});
		expect(item.binary).toBeUndefined();
		expect(
			lab.calls({ api: 'mde' }).filter((request) => request.path.endsWith('/GetPackageUri')),
		).toHaveLength(0);
	}, 30_000);

	it('keeps to 2 package links a minute: three devices meet no 429', async () => {
		const { lab, emu } = await labWithDevice();
		const devices = Array.from({ length: 3 }, (_, i) =>
			emu.addMachine(lab.tenantId, { computerDnsName: `pc-${i}.contoso.local` }),
		);
		lab.emulator.setQuota({ category: 'packageLink', limit: 2, windowMs: 1000 });
		const items = await run(
			lab,
			{
				resource: 'machine',
				operation: 'collectInvestigationPackage',
				machineId: device('={{ $json.id }}'),
				comment: 'x',
				waitForCompletion: true,
				waitTimeout: 30,
				downloadPackage: true,
			},
			{ inputItems: devices.map((d) => ({ json: { id: d.id } })) },
		);
		expect(items.every((item) => item.binary?.data !== undefined)).toBe(true);
		expect(
			lab
				.calls({ api: 'mde' })
				.filter((request) => request.path.endsWith('/GetPackageUri'))
				.map((request) => request.status),
		).toEqual([200, 200, 200]);
	}, 30_000);
});

describe('Device › enrichment', () => {
	it('Get Logged-On Users: one item per user', async () => {
		const { lab, emu, laptop } = await labWithDevice();
		emu.setLogonUsers(lab.tenantId, laptop.id as string, [
			{ accountName: 'jdoe', accountDomain: 'contoso', isDomainAdmin: true },
			{ accountName: 'svc-backup' },
		]);
		const items = await run(lab, {
			resource: 'machine',
			operation: 'getLogonUsers',
			machineId: device('fin-laptop-7.contoso.local'),
		});
		expect(items.map((item) => [item.json.id, item.json.isDomainAdmin])).toEqual([
			['contoso\\jdoe', true],
			['contoso\\svc-backup', false],
		]);
	});

	it('Find by IP: devices that had the address within 15 minutes of the time; older than 30 days is refused before sending', async () => {
		const { lab, emu, laptop } = await labWithDevice();
		const at = Date.now() - 3 * 86_400_000;
		const other = emu.addMachine(lab.tenantId, { computerDnsName: 'kiosk.contoso.local' });
		emu.addIpAssignment(lab.tenantId, other.id as string, '10.9.9.9', at);
		const found = await run(lab, {
			resource: 'machine',
			operation: 'findByIp',
			ip: '10.9.9.9',
			timestamp: new Date(at + 10 * 60_000).toISOString(),
		});
		expect(found.map((item) => item.json.id)).toEqual([other.id]);
		const missed = await run(lab, {
			resource: 'machine',
			operation: 'findByIp',
			ip: '10.9.9.9',
			timestamp: new Date(at + 20 * 60_000).toISOString(),
		});
		expect(missed).toHaveLength(0);
		const byLastIp = await run(lab, {
			resource: 'machine',
			operation: 'findByIp',
			ip: '10.1.2.3',
			timestamp: new Date().toISOString(),
		});
		expect(byLastIp.map((item) => item.json.id)).toEqual([laptop.id]);
		const before = lab.calls({ api: 'mde' }).length;
		await expect(
			run(lab, {
				resource: 'machine',
				operation: 'findByIp',
				ip: '10.9.9.9',
				timestamp: new Date(Date.now() - 31 * 86_400_000).toISOString(),
			}),
		).rejects.toThrow(/more than 30 days ago/);
		await expect(
			run(lab, {
				resource: 'machine',
				operation: 'findByIp',
				ip: '10.9.9',
				timestamp: new Date().toISOString(),
			}),
		).rejects.toThrow(/"10\.9\.9" is not an IP address/);
		expect(lab.calls({ api: 'mde' })).toHaveLength(before);
	});

	it('Get Vulnerabilities, Software and Recommendations of a device, with Limit', async () => {
		const { lab, emu, laptop } = await labWithDevice();
		const id = laptop.id as string;
		for (const cve of ['CVE-2026-0001', 'CVE-2026-0002', 'CVE-2026-0003'])
			emu.addVulnerability(lab.tenantId, { id: cve, severity: 'High', machineIds: [id] });
		emu.addVulnerability(lab.tenantId, { id: 'CVE-2026-0999', machineIds: [] });
		emu.addSoftware(lab.tenantId, { vendor: 'google', name: 'chrome', machineIds: [id] });
		emu.addRecommendation(lab.tenantId, {
			id: 'va-_-google-_-chrome',
			productName: 'chrome',
			machineIds: [id],
		});
		const all = await run(lab, {
			resource: 'machine',
			operation: 'getVulnerabilities',
			machineId: device(id),
			returnAll: true,
		});
		expect(all.map((item) => item.json.id)).toEqual([
			'CVE-2026-0001',
			'CVE-2026-0002',
			'CVE-2026-0003',
		]);
		const limited = await run(lab, {
			resource: 'machine',
			operation: 'getVulnerabilities',
			machineId: device(id),
			returnAll: false,
			limit: 2,
		});
		expect(limited).toHaveLength(2);
		expect(
			(
				await run(lab, {
					resource: 'machine',
					operation: 'getSoftware',
					machineId: device(id),
					returnAll: true,
				})
			).map((item) => item.json.id),
		).toEqual(['google-_-chrome']);
		expect(
			(
				await run(lab, {
					resource: 'machine',
					operation: 'getRecommendations',
					machineId: device(id),
					returnAll: true,
				})
			).map((item) => item.json.id),
		).toEqual(['va-_-google-_-chrome']);
	});

	it('Get Vulnerabilities keeps to its own 50 calls a minute', async () => {
		const { lab, laptop } = await labWithDevice();
		lab.emulator.setQuota({ category: 'deviceVulnerabilities', limit: 50, windowMs: 1000 });
		const items = await run(
			lab,
			{
				resource: 'machine',
				operation: 'getVulnerabilities',
				machineId: device(laptop.id as string),
				returnAll: true,
			},
			{ inputItems: Array.from({ length: 55 }, () => ({ json: {} })) },
		);
		expect(items).toHaveLength(0);
		expect(
			lab
				.calls({ api: 'mde' })
				.filter((request) => request.path.endsWith('/vulnerabilities'))
				.map((request) => request.status),
		).toEqual(Array(55).fill(200));
	}, 30_000);

	it('names the permission each list needs', async () => {
		const { lab, laptop } = await labWithDevice({ ...FULL_ROLES, mde: ['Machine.Read.All'] });
		const id = laptop.id as string;
		const permissions: string[] = [];
		for (const operation of [
			'getLogonUsers',
			'getVulnerabilities',
			'getSoftware',
			'getRecommendations',
		]) {
			const [item] = await run(
				lab,
				{ resource: 'machine', operation, machineId: device(id), returnAll: true },
				{ continueOnFail: true },
			);
			permissions.push(
				/permission (\S+)/.exec(String(item.json.error))?.[1] ?? String(item.json.error),
			);
		}
		expect(permissions).toEqual([
			'User.Read.All',
			'Vulnerability.Read.All',
			'Software.Read.All',
			'SecurityRecommendation.Read.All',
		]);
	});
});

describe('Device › Start Automated Investigation', () => {
	it('starts a Running investigation on the device, with the comment', async () => {
		const { lab, laptop } = await labWithDevice();
		const [item] = await run(lab, {
			resource: 'machine',
			operation: 'startInvestigation',
			machineId: device('fin-laptop-7'),
			comment: 'suspicious logon',
		});
		expect(item.json).toMatchObject({
			state: 'Running',
			machineId: laptop.id,
			computerDnsName: 'fin-laptop-7.contoso.local',
		});
		expect(
			lab.calls({ api: 'mde', method: 'POST' }).map((request) => [request.path, request.status]),
		).toEqual([[`/mde/api/machines/${String(laptop.id)}/startInvestigation`, 201]]);
	});

	it('names Alert.ReadWrite.All when the app can only read alerts', async () => {
		const { lab, laptop } = await labWithDevice({
			...FULL_ROLES,
			mde: ['Machine.Read.All', 'Alert.Read.All'],
		});
		await expect(
			run(lab, {
				resource: 'machine',
				operation: 'startInvestigation',
				machineId: device(laptop.id as string),
				comment: 'x',
			}),
		).rejects.toThrow(/lacks the application permission Alert\.ReadWrite\.All/);
	});
});

describe('Live Response Library', () => {
	const scriptItem = (text: string, fileName = 'collect.ps1') => ({
		json: {},
		binary: {
			data: { data: Buffer.from(text).toString('base64'), mimeType: 'text/plain', fileName },
		},
	});

	it('uploads a script from binary data, lists it, runs it by live response, and deletes it', async () => {
		const { lab, emu, laptop } = await labWithDevice();
		const [uploaded] = await run(
			lab,
			{
				resource: 'liveResponseLibrary',
				operation: 'upload',
				binaryPropertyName: 'data',
				description: 'Collects processes',
				options: { parametersDescription: '-Days <n>' },
			},
			{ inputItems: [scriptItem('Get-Process | Select -First 5')] },
		);
		expect(uploaded.json).toMatchObject({
			fileName: 'collect.ps1',
			description: 'Collects processes',
			hasParameters: true,
			parametersDescription: '-Days <n>',
		});
		expect(uploaded.json.sha256).toBe(
			createHash('sha256').update('Get-Process | Select -First 5').digest('hex'),
		);
		expect(
			(
				await run(lab, { resource: 'liveResponseLibrary', operation: 'getAll', returnAll: true })
			).map((item) => item.json.fileName),
		).toEqual(['collect.ps1']);

		const [session] = await run(
			lab,
			liveResponse(laptop.id as string, { runScript: [script('collect.ps1', '-Days 2')] }),
		);
		expect(session.json.scripts).toEqual([
			expect.objectContaining({
				scriptName: 'collect.ps1',
				exitCode: 0,
				output: 'collect.ps1 ran with -Days 2',
			}),
		]);

		expect(
			(
				await run(lab, {
					resource: 'liveResponseLibrary',
					operation: 'delete',
					fileName: 'collect.ps1',
				})
			)[0].json,
		).toEqual({ fileName: 'collect.ps1', deleted: true });
		expect(emu.listMachineActions(lab.tenantId)).toHaveLength(1);
		await expect(
			run(lab, { resource: 'liveResponseLibrary', operation: 'delete', fileName: 'collect.ps1' }),
		).rejects.toThrow('The live response library has no file named collect.ps1.');
	}, 30_000);

	it('replaces a file of the same name only when asked; an upload of more than 20 MB is refused before sending', async () => {
		const { lab } = await labWithDevice();
		const upload = async (text: string, overrideIfExists: boolean) =>
			await run(
				lab,
				{
					resource: 'liveResponseLibrary',
					operation: 'upload',
					description: 'v',
					options: { overrideIfExists, fileName: 'tool.ps1' },
				},
				{ inputItems: [scriptItem(text, 'x.bin')], continueOnFail: true },
			);
		expect((await upload('one', false))[0].json.fileName).toBe('tool.ps1');
		expect((await upload('two', false))[0].json.error).toBe(
			'A file named tool.ps1 is already in the live response library. Turn on Options → Replace If Exists to replace it, or set Options → File Name to another name.',
		);
		expect((await upload('two', true))[0].json.sha256).toBe(
			createHash('sha256').update('two').digest('hex'),
		);
		const before = lab.calls({ api: 'mde' }).length;
		const [tooBig] = await run(
			lab,
			{ resource: 'liveResponseLibrary', operation: 'upload', description: 'big' },
			{
				inputItems: [scriptItem('x'.repeat(20 * 1024 * 1024 + 1), 'big.ps1')],
				continueOnFail: true,
			},
		);
		expect(tooBig.json.error).toMatch(
			/big\.ps1 is 20\.0 MB; the live response library takes files of at most 20 MB/,
		);
		expect(lab.calls({ api: 'mde' })).toHaveLength(before);
	}, 30_000);

	it('names Library.Manage when the app lacks it', async () => {
		const { lab } = await labWithDevice({
			...FULL_ROLES,
			mde: ['Machine.Read.All', 'Machine.LiveResponse'],
		});
		await expect(
			run(lab, { resource: 'liveResponseLibrary', operation: 'getAll', returnAll: true }),
		).rejects.toThrow(/lacks the application permission Library\.Manage/);
	});
});
