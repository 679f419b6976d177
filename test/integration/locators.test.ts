// Resource locators of Alert, Machine Action and Indicator (From List, By ID, By URL), old workflows
// that saved these fields as plain strings, the "From list" searches with their pagination token, and
// Alert → Add Comment on both APIs.
import type { INodeParameters } from 'n8n-workflow';

import { createLab, runDefender, searchList, stopEmulator, type Lab } from '../support/lab';

afterAll(stopEmulator);

const locator = (mode: string, value: string) => ({ __rl: true, mode, value });

async function isolate(lab: Lab, device: string): Promise<string> {
	const machine = lab.emulator.addMachine(lab.tenantId, {
		computerDnsName: device,
		osPlatform: 'Windows11',
	});
	const [action] = await runDefender(lab, {
		resource: 'machine',
		operation: 'isolate',
		machineId: locator('id', machine.id),
		isolationType: 'Full',
		comment: 'contain',
	});
	return String(action.json.id);
}

describe.each(['graph', 'defenderXdr'] as const)('Alert locator on %s', (api) => {
	it('finds the alert by portal URL, by ID, from the list, and as the plain string older workflows saved', async () => {
		const lab = await createLab();
		const alert = lab.emulator.createAlert(lab.tenantId, {
			title: 'Credential theft',
			severity: 'High',
		});
		const url = `https://security.microsoft.com/alerts/${alert.id}?tid=${lab.tenantId}`;
		const get = async (alertId: INodeParameters[string]) =>
			(await runDefender(lab, { api, resource: 'alert', operation: 'get', alertId }))[0].json;
		for (const alertId of [
			locator('url', url),
			locator('id', ` ${alert.id} `),
			locator('list', alert.id),
			alert.id,
		]) {
			expect(await get(alertId)).toMatchObject({ id: alert.id, title: 'Credential theft' });
		}
	});

	it("Add Comment appends a comment and outputs the alert's comments; an empty one sends nothing", async () => {
		const lab = await createLab();
		const alert = lab.emulator.createAlert(lab.tenantId, { title: 'Needs a note' });
		const [item] = await runDefender(lab, {
			api,
			resource: 'alert',
			operation: 'addComment',
			alertId: locator('id', alert.id),
			comment: '  Escalated to tier 2  ',
		});
		expect(item.json).toMatchObject({ alertId: alert.id, comment: 'Escalated to tier 2' });
		expect(
			(item.json.comments as Array<{ comment: string }>).map((comment) => comment.comment),
		).toEqual(['Escalated to tier 2']);
		expect(
			lab.emulator.getAlert(lab.tenantId, alert.id)?.comments.map((comment) => comment.comment),
		).toEqual(['Escalated to tier 2']);
		const before = lab.calls().length;
		await expect(
			runDefender(lab, {
				api,
				resource: 'alert',
				operation: 'addComment',
				alertId: locator('id', alert.id),
				comment: ' ',
			}),
		).rejects.toThrow(/Comment is empty/);
		expect(lab.calls().length).toBe(before);
	});

	it('"From list" names alerts with title, device and severity, filters by the search text and links to the portal', async () => {
		const lab = await createLab();
		const wanted = lab.emulator.createAlert(lab.tenantId, {
			title: 'Ransomware behaviour',
			severity: 'High',
			computerDnsName: 'fin-laptop-7.contoso.local',
		});
		lab.emulator.createAlert(lab.tenantId, { title: 'Adware', severity: 'Low' });
		const { results } = await searchList(lab, {
			method: 'searchAlerts',
			parameterName: 'alertId',
			parameters: { api, resource: 'alert', operation: 'get' },
			filter: 'ransom',
		});
		expect(results.map((result) => result.value)).toEqual([wanted.id]);
		expect(results[0].name).toContain('Ransomware behaviour on fin-laptop-7.contoso.local (High');
		if (api === 'graph') expect(results[0].url).toContain(`/alerts/${wanted.id}`);
	});
});

describe('Machine Action and Indicator locators', () => {
	it('cancel and get a machine action picked from the list, by ID, or saved as a plain string', async () => {
		const lab = await createLab();
		lab.emulator.setActionTimeline({
			pendingMs: 60_000,
			inProgressMs: 60_000,
			outcome: 'Succeeded',
		});
		const first = await isolate(lab, 'ws-0101.contoso.local');
		const second = await isolate(lab, 'srv-db01.contoso.local');
		const { results } = await searchList(lab, {
			method: 'searchMachineActions',
			parameterName: 'machineActionId',
			parameters: { resource: 'machineAction', operation: 'get' },
			filter: 'srv-db01',
		});
		expect(results.map((result) => result.value)).toEqual([second]);
		expect(results[0].name).toMatch(/^Isolate on srv-db01\.contoso\.local \(Pending, /);
		const [cancelled] = await runDefender(lab, {
			resource: 'machineAction',
			operation: 'cancel',
			machineActionId: locator('list', second),
			comment: 'not needed',
		});
		expect(cancelled.json).toMatchObject({ id: second, status: 'Cancelled' });
		for (const machineActionId of [locator('id', first), first]) {
			expect(
				(
					await runDefender(lab, { resource: 'machineAction', operation: 'get', machineActionId })
				)[0].json,
			).toMatchObject({ id: first, status: 'Pending' });
		}
		await expect(
			runDefender(lab, {
				resource: 'machineAction',
				operation: 'get',
				machineActionId: locator('id', 'not-a-guid'),
			}),
		).rejects.toThrow(/is not a machine action ID/);
	});

	it('deletes an indicator picked from the list or saved as a plain string', async () => {
		const lab = await createLab();
		const create = async (indicatorValue: string) =>
			(
				await runDefender(lab, {
					resource: 'indicator',
					operation: 'create',
					indicatorValue,
					action: 'Block',
					title: `Block ${indicatorValue}`,
					description: 'test',
				})
			)[0].json;
		const domain = await create('evil.example');
		const ip = await create('203.0.113.7');
		const { results } = await searchList(lab, {
			method: 'searchIndicators',
			parameterName: 'indicatorId',
			parameters: { resource: 'indicator', operation: 'delete' },
			filter: 'evil',
		});
		expect(results).toEqual([
			{ name: 'evil.example (DomainName, Block: Block evil.example)', value: String(domain.id) },
		]);
		await runDefender(lab, {
			resource: 'indicator',
			operation: 'delete',
			indicatorId: locator('list', String(domain.id)),
		});
		await runDefender(lab, {
			resource: 'indicator',
			operation: 'delete',
			indicatorId: String(ip.id),
		});
		expect(lab.emulator.listIndicators(lab.tenantId)).toEqual([]);
		await expect(
			runDefender(lab, {
				resource: 'indicator',
				operation: 'delete',
				indicatorId: locator('id', 'abc'),
			}),
		).rejects.toThrow(/is not an indicator ID/);
	});
});

describe('"From list" pagination', () => {
	it.each(['graph', 'defenderXdr'] as const)(
		'incidents on %s: a page of 50 and a token for the rest, with no record twice',
		async (api) => {
			const lab = await createLab();
			lab.emulator.seedIncidents(lab.tenantId, 60);
			const search = {
				method: 'searchIncidents',
				parameterName: 'incidentId',
				parameters: { api, resource: 'incident', operation: 'get' },
			};
			const first = await searchList(lab, search);
			expect(first.results).toHaveLength(50);
			expect(first.paginationToken).toEqual(expect.any(String));
			const second = await searchList(lab, { ...search, paginationToken: first.paginationToken });
			expect(second.results).toHaveLength(10);
			expect(second.paginationToken).toBeUndefined();
			const ids = [...first.results, ...second.results].map((result) => result.value);
			expect(new Set(ids).size).toBe(60);
			expect(ids.sort()).toEqual(
				lab.emulator
					.listIncidents(lab.tenantId)
					.map((incident) => String(incident.id))
					.sort(),
			);
		},
	);

	it('devices: the token continues after the first page', async () => {
		const lab = await createLab();
		for (let i = 0; i < 55; i++)
			lab.emulator.addMachine(lab.tenantId, {
				computerDnsName: `ws-${String(i).padStart(4, '0')}.contoso.local`,
			});
		const search = {
			method: 'searchMachines',
			parameterName: 'machineId',
			parameters: { resource: 'machine', operation: 'get' },
			filter: 'ws-',
		};
		const first = await searchList(lab, search);
		const second = await searchList(lab, { ...search, paginationToken: first.paginationToken });
		expect([first.results.length, second.results.length, second.paginationToken]).toEqual([
			50,
			5,
			undefined,
		]);
		expect(new Set([...first.results, ...second.results].map((result) => result.value)).size).toBe(
			55,
		);
	});
});

interface ListsEmulator {
	addVulnerability(tenantId: string, fields: Record<string, unknown>): Record<string, unknown>;
	addSoftware(tenantId: string, fields: Record<string, unknown>): Record<string, unknown>;
	addRecommendation(tenantId: string, fields: Record<string, unknown>): Record<string, unknown>;
	addInvestigation(tenantId: string, fields: Record<string, unknown>): Record<string, unknown>;
	addLibraryFile(tenantId: string, fields: Record<string, unknown>): Record<string, unknown>;
}

describe('From List of vulnerability, software, recommendation, investigation and library file', () => {
	it('each list is searched by what it shows, and the picked value runs the operation', async () => {
		const lab = await createLab();
		const emu = lab.emulator as unknown as ListsEmulator & Lab['emulator'];
		const laptop = lab.emulator.addMachine(lab.tenantId, {
			computerDnsName: 'fin-laptop-7.contoso.local',
		});
		emu.addVulnerability(lab.tenantId, { id: 'CVE-2024-21412', severity: 'High', cvssV3: 8.1 });
		emu.addVulnerability(lab.tenantId, { id: 'CVE-2023-1111', severity: 'Low', cvssV3: 3.1 });
		emu.addSoftware(lab.tenantId, { vendor: 'google', name: 'chrome' });
		emu.addSoftware(lab.tenantId, { vendor: 'mozilla', name: 'firefox' });
		emu.addRecommendation(lab.tenantId, {
			id: 'va-_-google-_-chrome',
			recommendationName: 'Update Google Chrome',
		});
		emu.addRecommendation(lab.tenantId, {
			id: 'sca-_-scid-2000',
			recommendationName: 'Turn on Microsoft Defender Firewall',
		});
		const investigation = emu.addInvestigation(lab.tenantId, {
			machineId: laptop.id,
			state: 'PendingApproval',
		});
		emu.addLibraryFile(lab.tenantId, {
			fileName: 'collect.ps1',
			content: 'Get-Process',
			description: 'triage',
		});
		emu.addLibraryFile(lab.tenantId, { fileName: 'other.ps1', content: 'x' });

		const cases: Array<{
			method: string;
			parameterName: string;
			parameters: INodeParameters;
			filter: string;
			value: string;
			name: RegExp;
			path: string;
		}> = [
			{
				method: 'searchVulnerabilities',
				parameterName: 'cveId',
				parameters: { resource: 'vulnerability', operation: 'get' },
				filter: '2024',
				value: 'CVE-2024-21412',
				name: /^CVE-2024-21412 \(High, CVSS 8\.1, 0 exposed devices\)$/,
				path: '/mde/api/vulnerabilities/CVE-2024-21412',
			},
			{
				method: 'searchSoftware',
				parameterName: 'softwareId',
				parameters: { resource: 'software', operation: 'get' },
				filter: 'Chrome',
				value: 'google-_-chrome',
				name: /^google chrome \(/,
				path: '/mde/api/Software/google-_-chrome',
			},
			{
				method: 'searchRecommendations',
				parameterName: 'recommendationId',
				parameters: { resource: 'recommendation', operation: 'get' },
				filter: 'firewall',
				value: 'sca-_-scid-2000',
				name: /^Turn on Microsoft Defender Firewall \(Active, /,
				path: '/mde/api/recommendations/sca-_-scid-2000',
			},
			{
				method: 'searchInvestigations',
				parameterName: 'investigationId',
				parameters: { resource: 'investigation', operation: 'get' },
				filter: 'fin-laptop',
				value: String(investigation.id),
				name: /PendingApproval on fin-laptop-7\.contoso\.local/,
				path: `/mde/api/investigations/${String(investigation.id)}`,
			},
			{
				method: 'searchLibraryFiles',
				parameterName: 'fileName',
				parameters: { resource: 'liveResponseLibrary', operation: 'delete' },
				filter: 'TRIAGE',
				value: 'collect.ps1',
				name: /^collect\.ps1 \(triage\)$/,
				path: '/mde/api/libraryfiles/collect.ps1',
			},
		];
		for (const { filter, value, name, path, ...search } of cases) {
			const { results } = await searchList(lab, { ...search, filter });
			expect(results.map((result) => result.value)).toEqual([value]);
			expect(results[0].name).toMatch(name);
			await runDefender(lab, {
				...search.parameters,
				[search.parameterName]: locator('list', results[0].value as string),
			});
			expect(lab.calls({ api: 'mde' }).at(-1)?.path).toBe(path);
		}
		// The library documents no paging: its list is asked for without $top.
		const library = lab
			.calls({ api: 'mde' })
			.filter((call) => call.path === '/mde/api/libraryfiles');
		expect(library.every((call) => call.query.$top === undefined)).toBe(true);
	});
});
