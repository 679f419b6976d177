import type { IDataObject, INodeParameters } from 'n8n-workflow';

import {
	createLab,
	emulator,
	FULL_ROLES,
	runDefender,
	stopEmulator,
	type Lab,
} from '../support/lab';

interface EnrichmentEmulator {
	addMachine(tenantId: string, fields: IDataObject): IDataObject;
	createAlert(tenantId: string, fields: IDataObject): IDataObject;
	addFile(tenantId: string, fields: IDataObject): IDataObject;
	addIp(tenantId: string, fields: IDataObject): IDataObject;
	addDomain(tenantId: string, fields: IDataObject): IDataObject;
	addVulnerability(tenantId: string, fields: IDataObject): IDataObject;
	seedVulnerabilities(tenantId: string, count: number, options?: { machineIds?: string[] }): number;
	addSoftware(tenantId: string, fields: IDataObject): IDataObject;
	addRecommendation(tenantId: string, fields: IDataObject): IDataObject;
	setExposureScore(tenantId: string, score: number): void;
	addInvestigation(tenantId: string, fields: IDataObject): IDataObject;
	setLogonUsers(tenantId: string, machineId: string, users: IDataObject[]): void;
}

const enrich = (lab: Lab) => lab.emulator as unknown as EnrichmentEmulator & Lab['emulator'];
const run = async (
	lab: Lab,
	parameters: INodeParameters,
	options: Parameters<typeof runDefender>[2] = {},
) => await runDefender(lab, parameters, options);
const SHA1 = 'a'.repeat(40);
const SHA256 = 'b'.repeat(64);

afterAll(stopEmulator);
afterEach(async () => {
	const emu = await emulator();
	emu.clearFaults();
	emu.clearQuotas();
});

async function labWithData(roles?: Partial<typeof FULL_ROLES>) {
	const lab = await createLab(roles ? { roles } : {});
	const emu = enrich(lab);
	const laptop = emu.addMachine(lab.tenantId, { computerDnsName: 'fin-laptop-7.contoso.local' });
	const server = emu.addMachine(lab.tenantId, { computerDnsName: 'srv-db01.contoso.local' });
	return { lab, emu, laptop, server };
}

describe('File', () => {
	it('Get by SHA-256 or SHA-1, and Get Statistics with a look-back', async () => {
		const { lab, emu, laptop } = await labWithData();
		emu.addFile(lab.tenantId, {
			sha1: SHA1,
			sha256: SHA256,
			signer: 'Contoso Ltd',
			determinationType: 'Malware',
			globalPrevalence: 12,
			machineIds: [laptop.id],
			orgFirstSeen: '2026-11-20T10:00:00Z',
		});
		const [bySha256] = await run(lab, {
			resource: 'file',
			operation: 'get',
			sha: SHA256.toUpperCase(),
		});
		expect(bySha256.json).toMatchObject({
			sha1: SHA1,
			sha256: SHA256,
			signer: 'Contoso Ltd',
			determinationType: 'Malware',
		});
		expect(bySha256.json['@odata.context']).toBeUndefined();
		const [stats] = await run(lab, {
			resource: 'file',
			operation: 'getStatistics',
			sha: SHA1,
			lookBackHours: 48,
		});
		expect(stats.json).toMatchObject({ organizationPrevalence: 1, globalPrevalence: 12 });
		expect(lab.calls({ api: 'mde' }).at(-1)?.query).toEqual({ lookBackHours: '48' });
	});

	it('Get Devices and Get Alerts take a SHA-1 on Microsoft’s side: a SHA-256 is resolved through Get first', async () => {
		const { lab, emu, laptop, server } = await labWithData();
		const alert = emu.createAlert(lab.tenantId, { title: 'Dropper', machineId: laptop.id });
		const sha1 = String((alert.process as IDataObject).sha1);
		emu.addFile(lab.tenantId, { sha1, sha256: SHA256, machineIds: [laptop.id, server.id] });
		const devices = await run(lab, {
			resource: 'file',
			operation: 'getDevices',
			sha: SHA256,
			returnAll: true,
		});
		expect(devices.map((item) => item.json.computerDnsName)).toEqual([
			'fin-laptop-7.contoso.local',
			'srv-db01.contoso.local',
		]);
		expect(lab.calls({ api: 'mde' }).map((request) => request.path)).toEqual([
			`/mde/api/files/${SHA256}`,
			`/mde/api/files/${sha1}/machines`,
		]);
		const alerts = await run(lab, {
			resource: 'file',
			operation: 'getAlerts',
			sha: sha1,
			returnAll: true,
		});
		expect(alerts.map((item) => item.json.id)).toEqual([alert.id]);
		const limited = await run(lab, {
			resource: 'file',
			operation: 'getDevices',
			sha: sha1,
			returnAll: false,
			limit: 1,
		});
		expect(limited).toHaveLength(1);
	});

	it('an unknown SHA-256 says that devices and alerts are listed by SHA-1 only; a bad hash or look-back is refused before sending', async () => {
		const { lab } = await labWithData();
		await expect(
			run(lab, { resource: 'file', operation: 'getAlerts', sha: 'c'.repeat(64) }),
		).rejects.toThrow(/by SHA-1 only.*does not know this file/);
		await expect(
			run(lab, { resource: 'file', operation: 'get', sha: 'd'.repeat(40) }),
		).rejects.toThrow(/does not know a file with hash d{40}/);
		const before = lab.calls({ api: 'mde' }).length;
		await expect(
			run(lab, { resource: 'file', operation: 'get', sha: 'e'.repeat(32) }),
		).rejects.toThrow(/is not a SHA-1 \(40 hex characters\) or SHA-256/);
		await expect(
			run(lab, { resource: 'file', operation: 'getStatistics', sha: SHA1, lookBackHours: 721 }),
		).rejects.toThrow(/Look Back \(Hours\) is 721/);
		expect(lab.calls({ api: 'mde' })).toHaveLength(before);
	});

	it('names File.Read.All when the app lacks it', async () => {
		const { lab } = await labWithData({ ...FULL_ROLES, mde: ['Machine.Read.All'] });
		await expect(run(lab, { resource: 'file', operation: 'get', sha: SHA1 })).rejects.toThrow(
			/lacks the application permission File\.Read\.All/,
		);
	});
});

describe('IP and Domain', () => {
	it('IP: statistics and alerts; not an IP is refused before sending', async () => {
		const { lab, emu, laptop } = await labWithData();
		const alert = emu.createAlert(lab.tenantId, { title: 'C2 beacon', machineId: laptop.id });
		emu.addIp(lab.tenantId, {
			ip: '203.0.113.7',
			machineIds: [laptop.id],
			alertIds: [alert.id],
			orgFirstSeen: '2026-11-28T09:00:00Z',
		});
		const [stats] = await run(lab, {
			resource: 'ip',
			operation: 'getStatistics',
			ip: '203.0.113.7',
		});
		expect(stats.json).toMatchObject({
			ipAddress: '203.0.113.7',
			orgPrevalence: 1,
			orgFirstSeen: '2026-11-28T09:00:00Z',
		});
		const alerts = await run(lab, {
			resource: 'ip',
			operation: 'getAlerts',
			ip: '203.0.113.7',
			returnAll: true,
		});
		expect(alerts.map((item) => item.json.title)).toEqual(['C2 beacon']);
		await expect(
			run(lab, { resource: 'ip', operation: 'getStatistics', ip: '203.0.113' }),
		).rejects.toThrow(/"203\.0\.113" is not an IP address/);
	});

	it('IP → Get Devices: Find Devices by IP at now when Time is empty, or at the given time', async () => {
		const { lab, emu, laptop, server } = await labWithData();
		const at = Date.now() - 2 * 86_400_000;
		emu.addIpAssignment(lab.tenantId, String(server.id), '10.20.30.40', at);
		const now = await run(lab, {
			resource: 'ip',
			operation: 'getDevices',
			ip: String(laptop.lastIpAddress),
		});
		expect(now.map((item) => item.json.id)).toEqual([laptop.id]);
		const [call] = lab.calls({ api: 'mde' });
		const sent = /timestamp=([^)]+)\)$/.exec(decodeURIComponent(call.path))?.[1];
		expect(Math.abs(Date.parse(String(sent)) - Date.now())).toBeLessThan(60_000);
		const then = await run(lab, {
			resource: 'ip',
			operation: 'getDevices',
			ip: '10.20.30.40',
			timestamp: new Date(at + 5 * 60_000).toISOString(),
		});
		expect(then.map((item) => item.json.id)).toEqual([server.id]);
		expect(
			await run(lab, { resource: 'ip', operation: 'getDevices', ip: '10.20.30.40' }),
		).toHaveLength(0);
		await expect(
			run(lab, {
				resource: 'ip',
				operation: 'getDevices',
				ip: '10.20.30.40',
				timestamp: new Date(Date.now() - 31 * 86_400_000).toISOString(),
			}),
		).rejects.toThrow(/more than 30 days ago/);
		expect(lab.calls({ api: 'mde' })).toHaveLength(3);
	});

	it('Domain: statistics, alerts and devices', async () => {
		const { lab, emu, laptop, server } = await labWithData();
		const alert = emu.createAlert(lab.tenantId, { title: 'Phishing link', machineId: server.id });
		emu.addDomain(lab.tenantId, {
			domain: 'evil.example.com',
			machineIds: [laptop.id, server.id],
			alertIds: [alert.id],
		});
		const [stats] = await run(lab, {
			resource: 'domain',
			operation: 'getStatistics',
			domain: 'Evil.Example.com',
		});
		expect(stats.json).toMatchObject({ host: 'evil.example.com', orgPrevalence: 2 });
		expect(
			(
				await run(lab, {
					resource: 'domain',
					operation: 'getAlerts',
					domain: 'evil.example.com',
					returnAll: true,
				})
			).map((item) => item.json.id),
		).toEqual([alert.id]);
		expect(
			(
				await run(lab, {
					resource: 'domain',
					operation: 'getDevices',
					domain: 'evil.example.com',
					returnAll: true,
				})
			).map((item) => item.json.id),
		).toEqual([laptop.id, server.id]);
		await expect(
			run(lab, {
				resource: 'domain',
				operation: 'getDevices',
				domain: 'https://evil.example.com/x',
			}),
		).rejects.toThrow(/is not a domain name/);
	});
});

describe('Vulnerability management', () => {
	it('Vulnerability → Get Many: Return All in pages of 8,000, Limit in one request, filters sent to the service', async () => {
		const { lab, emu } = await labWithData();
		emu.seedVulnerabilities(lab.tenantId, 8_500);
		const all = await run(lab, { resource: 'vulnerability', operation: 'getAll', returnAll: true });
		expect(all).toHaveLength(8_500);
		expect(lab.calls({ api: 'mde' }).map((request) => request.query.$top)).toEqual([
			'8000',
			'8000',
		]);
		const limited = await run(lab, {
			resource: 'vulnerability',
			operation: 'getAll',
			returnAll: false,
			limit: 7,
			filters: { severity: 'Critical', minCvss: 9 },
		});
		expect(limited.length).toBeGreaterThan(0);
		expect(limited.length).toBeLessThanOrEqual(7);
		expect(
			limited.every((item) => item.json.severity === 'Critical' && Number(item.json.cvssV3) >= 9),
		).toBe(true);
		expect(lab.calls({ api: 'mde' }).at(-1)?.query).toMatchObject({
			$top: '7',
			$filter: "severity eq 'Critical' and cvssV3 ge 9",
		});
	}, 60_000);

	it('Vulnerability → Get and Get Devices; an unknown CVE is a clear 404', async () => {
		const { lab, emu, laptop } = await labWithData();
		emu.addVulnerability(lab.tenantId, {
			id: 'CVE-2024-21412',
			severity: 'High',
			cvssV3: 8.1,
			machineIds: [laptop.id],
		});
		const [cve] = await run(lab, {
			resource: 'vulnerability',
			operation: 'get',
			cveId: 'cve-2024-21412',
		});
		expect(cve.json).toMatchObject({ id: 'CVE-2024-21412', exposedMachines: 1 });
		const devices = await run(lab, {
			resource: 'vulnerability',
			operation: 'getDevices',
			cveId: 'CVE-2024-21412',
			returnAll: true,
		});
		expect(devices.map((item) => item.json)).toEqual([
			{
				id: laptop.id,
				computerDnsName: 'fin-laptop-7.contoso.local',
				osPlatform: 'Windows11',
				rbacGroupName: null,
			},
		]);
		await expect(
			run(lab, { resource: 'vulnerability', operation: 'get', cveId: 'CVE-1999-0001' }),
		).rejects.toThrow(/Vulnerability CVE-1999-0001 not found/);
	});

	it('Software: Get Many filtered, Get, Get Devices, Get Vulnerabilities, Get Missing KBs', async () => {
		const { lab, emu, laptop } = await labWithData();
		emu.addVulnerability(lab.tenantId, { id: 'CVE-2026-1111', machineIds: [laptop.id] });
		emu.addSoftware(lab.tenantId, {
			vendor: 'google',
			name: 'chrome',
			machineIds: [laptop.id],
			vulnerabilityIds: ['CVE-2026-1111'],
			missingKbs: [
				{
					id: 'KB5030219',
					name: 'Cumulative update',
					osBuild: 22631,
					productsNames: ['chrome'],
					url: 'https://support.microsoft.com/kb/5030219',
					machineMissedOn: 1,
					cveAddressed: 1,
				},
			],
		});
		emu.addSoftware(lab.tenantId, { vendor: 'mozilla', name: 'firefox' });
		const filtered = await run(lab, {
			resource: 'software',
			operation: 'getAll',
			returnAll: true,
			filters: { vendor: 'google' },
		});
		expect(filtered.map((item) => item.json.id)).toEqual(['google-_-chrome']);
		expect(
			(await run(lab, { resource: 'software', operation: 'get', softwareId: 'google-_-chrome' }))[0]
				.json,
		).toMatchObject({ name: 'chrome', exposedMachines: 1, weaknesses: 1 });
		expect(
			(
				await run(lab, {
					resource: 'software',
					operation: 'getDevices',
					softwareId: 'google-_-chrome',
					returnAll: true,
				})
			).map((item) => item.json.id),
		).toEqual([laptop.id]);
		expect(
			(
				await run(lab, {
					resource: 'software',
					operation: 'getVulnerabilities',
					softwareId: 'google-_-chrome',
					returnAll: true,
				})
			).map((item) => item.json.id),
		).toEqual(['CVE-2026-1111']);
		expect(
			(
				await run(lab, {
					resource: 'software',
					operation: 'getMissingKbs',
					softwareId: 'google-_-chrome',
					returnAll: true,
				})
			).map((item) => item.json.id),
		).toEqual(['KB5030219']);
		await expect(
			run(lab, { resource: 'software', operation: 'get', softwareId: 'chrome' }),
		).rejects.toThrow(/is not a software ID/);
	});

	it('Recommendation: Get Many filtered, Get, Get Devices; Exposure Score', async () => {
		const { lab, emu, laptop } = await labWithData();
		emu.addRecommendation(lab.tenantId, {
			id: 'va-_-google-_-chrome',
			productName: 'chrome',
			vendor: 'google',
			machineIds: [laptop.id],
		});
		emu.addRecommendation(lab.tenantId, {
			id: 'scid-2010',
			productName: 'windows_11',
			vendor: 'microsoft',
			recommendationCategory: 'Accounts',
		});
		expect(
			(
				await run(lab, {
					resource: 'recommendation',
					operation: 'getAll',
					returnAll: true,
					filters: { vendor: 'google' },
				})
			).map((item) => item.json.id),
		).toEqual(['va-_-google-_-chrome']);
		expect(
			(
				await run(lab, {
					resource: 'recommendation',
					operation: 'get',
					recommendationId: 'scid-2010',
				})
			)[0].json,
		).toMatchObject({ recommendationCategory: 'Accounts' });
		expect(
			(
				await run(lab, {
					resource: 'recommendation',
					operation: 'getDevices',
					recommendationId: 'va-_-google-_-chrome',
					returnAll: true,
				})
			).map((item) => item.json.id),
		).toEqual([laptop.id]);
		emu.setExposureScore(lab.tenantId, 31.7);
		expect((await run(lab, { resource: 'exposureScore', operation: 'get' }))[0].json).toMatchObject(
			{ score: 31.7 },
		);
	});

	it('names the permission of each API when missing', async () => {
		const { lab } = await labWithData({ ...FULL_ROLES, mde: ['Machine.Read.All'] });
		const permissionOf = async (parameters: INodeParameters) =>
			/permission (\S+)/.exec(
				String((await run(lab, parameters, { continueOnFail: true }))[0].json.error),
			)?.[1];
		expect(
			await permissionOf({ resource: 'vulnerability', operation: 'getAll', returnAll: true }),
		).toBe('Vulnerability.Read.All');
		expect(await permissionOf({ resource: 'software', operation: 'getAll', returnAll: true })).toBe(
			'Software.Read.All',
		);
		expect(
			await permissionOf({ resource: 'recommendation', operation: 'getAll', returnAll: true }),
		).toBe('SecurityRecommendation.Read.All');
		expect(await permissionOf({ resource: 'exposureScore', operation: 'get' })).toBe(
			'Score.Read.All',
		);
		expect(await permissionOf({ resource: 'ip', operation: 'getStatistics', ip: '10.0.0.1' })).toBe(
			'Ip.Read.All',
		);
		expect(
			await permissionOf({ resource: 'domain', operation: 'getStatistics', domain: 'example.com' }),
		).toBe('URL.Read.All');
	});
});

describe('Investigation', () => {
	it('Get Many newest first with filters, Get by investigation ID or by the triggering alert', async () => {
		const { lab, emu, laptop, server } = await labWithData();
		const first = emu.addInvestigation(lab.tenantId, {
			machineId: laptop.id,
			state: 'Benign',
			triggeringAlertId: 'da637',
		});
		const second = emu.addInvestigation(lab.tenantId, { machineId: server.id, state: 'Running' });
		expect(
			(await run(lab, { resource: 'investigation', operation: 'getAll', returnAll: true })).map(
				(item) => item.json.id,
			),
		).toEqual([second.id, first.id]);
		const running = await run(lab, {
			resource: 'investigation',
			operation: 'getAll',
			returnAll: true,
			filters: { state: 'Running' },
		});
		expect(running.map((item) => item.json.id)).toEqual([second.id]);
		const byDevice = await run(lab, {
			resource: 'investigation',
			operation: 'getAll',
			returnAll: true,
			filters: { machineId: String(laptop.id).toUpperCase() },
		});
		expect(byDevice.map((item) => item.json.id)).toEqual([first.id]);
		expect(
			(await run(lab, { resource: 'investigation', operation: 'get', investigationId: 'da637' }))[0]
				.json,
		).toMatchObject({ id: first.id, state: 'Benign' });
		await expect(
			run(lab, { resource: 'investigation', operation: 'getAll', filters: { machineId: 'ws-01' } }),
		).rejects.toThrow(/is not a Defender device ID/);
	});
});

describe('User', () => {
	it('Get Devices by account name; a UPN or DOMAIN\\name is reduced to the name', async () => {
		const { lab, emu, laptop, server } = await labWithData();
		emu.setLogonUsers(lab.tenantId, String(laptop.id), [{ accountName: 'jdoe' }]);
		emu.setLogonUsers(lab.tenantId, String(server.id), [{ accountName: 'svc-sql' }]);
		for (const account of ['jdoe', 'CONTOSO\\jdoe', 'jdoe@contoso.com']) {
			expect(
				(
					await run(lab, { resource: 'user', operation: 'getDevices', account, returnAll: true })
				).map((item) => item.json.id),
			).toEqual([laptop.id]);
		}
		expect(lab.calls({ api: 'mde' }).map((request) => request.path)).toEqual(
			Array(3).fill('/mde/api/users/jdoe/machines'),
		);
		await expect(
			run(lab, { resource: 'user', operation: 'getDevices', account: '@contoso.com' }),
		).rejects.toThrow(/is not an account name/);
	});
});
