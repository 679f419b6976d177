import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { createLab, emulator, runDefender, stopEmulator, type Lab } from '../support/lab';

afterAll(stopEmulator);
afterEach(async () => (await emulator()).clearFaults());

const byId = (id: number | string) => ({ __rl: true, mode: 'id', value: String(id) });
const ids = (items: Array<{ json: IDataObject }>) => items.map((item) => String(item.json.id));
const listCalls = (lab: Lab, api: 'graph' | 'xdr') =>
	lab.calls({ api, method: 'GET' }).filter((request) => /\/incidents$/.test(request.path));

describe.each([
	['graph', 'graph', 50],
	['defenderXdr', 'xdr', 100],
] as const)('Incident › Get Many on %s', (api, emulatorApi, pageSize) => {
	it(`Return All follows every page (${pageSize} per page) and returns each incident exactly once`, async () => {
		const lab = await createLab();
		const seeded = lab.emulator.seedIncidents(lab.tenantId, pageSize * 3 + 7);
		const items = await runDefender(lab, {
			api,
			resource: 'incident',
			operation: 'getAll',
			returnAll: true,
			filters: {},
		});
		expect(ids(items).sort()).toEqual(seeded.map((incident) => String(incident.id)).sort());
		expect(listCalls(lab, emulatorApi)).toHaveLength(4);
		expect(
			items.every((item) => item.pairedItem && (item.pairedItem as { item: number }).item === 0),
		).toBe(true);
	});

	it('a list of exactly two full pages costs two requests, not a third empty one', async () => {
		const lab = await createLab();
		lab.emulator.seedIncidents(lab.tenantId, pageSize * 2);
		const items = await runDefender(lab, {
			api,
			resource: 'incident',
			operation: 'getAll',
			returnAll: true,
			filters: {},
		});
		expect(items).toHaveLength(pageSize * 2);
		expect(listCalls(lab, emulatorApi)).toHaveLength(2);
	});

	it('Limit 7 issues exactly one request', async () => {
		const lab = await createLab();
		lab.emulator.seedIncidents(lab.tenantId, 30);
		const items = await runDefender(lab, {
			api,
			resource: 'incident',
			operation: 'getAll',
			returnAll: false,
			limit: 7,
			filters: {},
		});
		expect(items).toHaveLength(7);
		const calls = listCalls(lab, emulatorApi);
		expect(calls).toHaveLength(1);
		expect(calls[0].query.$top).toBe('7');
	});

	it('sends status, assignee (quote escaped) and dates as $filter; severity and tags filter locally', async () => {
		const lab = await createLab();
		const emu = lab.emulator;
		const match = emu.createIncident(lab.tenantId, {
			assignedTo: "o'brien@contoso.com",
			severity: 'High',
			status: 'Active',
			tags: ['vip'],
		});
		emu.createIncident(lab.tenantId, {
			assignedTo: "o'brien@contoso.com",
			severity: 'Low',
			status: 'Active',
			tags: ['vip'],
		});
		emu.createIncident(lab.tenantId, {
			assignedTo: "o'brien@contoso.com",
			severity: 'High',
			status: 'Resolved',
			tags: ['vip'],
		});
		emu.createIncident(lab.tenantId, {
			assignedTo: 'someone@contoso.com',
			severity: 'High',
			status: 'Active',
			tags: ['vip'],
		});
		emu.createIncident(lab.tenantId, {
			assignedTo: "o'brien@contoso.com",
			severity: 'High',
			status: 'Active',
			tags: [],
		});
		const items = await runDefender(lab, {
			api,
			resource: 'incident',
			operation: 'getAll',
			returnAll: true,
			filters: {
				status: 'Active',
				assignedTo: "o'brien@contoso.com",
				severity: ['High'],
				tags: 'VIP, other',
				createdAfter: '2020-01-01T00:00:00Z',
			},
		});
		expect(ids(items)).toEqual([String(match.id)]);
		const query = listCalls(lab, emulatorApi)[0].query.$filter;
		expect(query).toContain("assignedTo eq 'o''brien@contoso.com'");
		expect(query).toContain(api === 'graph' ? "status eq 'active'" : "status eq 'Active'");
		expect(query).toContain(
			api === 'graph'
				? 'createdDateTime ge 2020-01-01T00:00:00.000Z'
				: 'createdTime ge 2020-01-01T00:00:00.000Z',
		);
	});

	it('refuses a date filter that is not a date, naming the field, before any call', async () => {
		const lab = await createLab();
		await expect(
			runDefender(lab, {
				api,
				resource: 'incident',
				operation: 'getAll',
				returnAll: true,
				filters: { updatedAfter: 'yesterday-ish' },
			}),
		).rejects.toThrow(/Updated After "yesterday-ish" is not a date/);
		expect(listCalls(lab, emulatorApi)).toHaveLength(0);
	});
});

describe('Incident › Simplify', () => {
	it('gives the same compact shape for the same incident on both APIs', async () => {
		const lab = await createLab();
		const incident = lab.emulator.createIncident(lab.tenantId, {
			title: 'Ransomware on FIN-LAPTOP-7',
			severity: 'High',
			status: 'InProgress',
			assignedTo: 'soc@contoso.com',
			tags: ['ransomware'],
			classification: 'TruePositive',
			determination: 'Malware',
		});
		const get = async (api: string) =>
			(
				await runDefender(lab, {
					api,
					resource: 'incident',
					operation: 'get',
					incidentId: byId(incident.id as number),
					options: { includeAlerts: true },
					simplify: true,
				})
			)[0].json;
		const graph = await get('graph');
		const xdr = await get('defenderXdr');
		expect(graph).toEqual(xdr);
		expect(graph).toMatchObject({
			id: String(incident.id),
			title: 'Ransomware on FIN-LAPTOP-7',
			severity: 'High',
			status: 'InProgress',
			classification: 'TruePositive',
			determination: 'Malware',
			assignedTo: 'soc@contoso.com',
			tags: ['ransomware'],
			alertCount: 1,
		});
		expect(Object.keys(graph).sort()).toEqual([
			'alertCount',
			'assignedTo',
			'classification',
			'createdAt',
			'determination',
			'id',
			'portalUrl',
			'severity',
			'status',
			'tags',
			'title',
			'updatedAt',
		]);
		expect(graph.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
	});
});

describe.each(['graph', 'defenderXdr'] as const)(
	'Incident › Get, Update, Add Comment on %s',
	(api) => {
		it('Get answers a clear "not found" for an unknown ID', async () => {
			const lab = await createLab();
			await expect(
				runDefender(lab, { api, resource: 'incident', operation: 'get', incidentId: byId(987654) }),
			).rejects.toThrow(/Incident 987654 not found/);
		});

		it('Get accepts the portal URL of an incident', async () => {
			const lab = await createLab();
			const incident = lab.emulator.createIncident(lab.tenantId, {});
			const url = {
				__rl: true,
				mode: 'url',
				value: `https://security.microsoft.com/incidents/${incident.id}?tid=${lab.tenantId}`,
			};
			const [item] = await runDefender(lab, {
				api,
				resource: 'incident',
				operation: 'get',
				incidentId: url,
			});
			expect(item.json.id).toBe(String(incident.id));
		});

		it('Update sets fields, adds tags while keeping existing ones, and comments — checked at the emulator', async () => {
			const lab = await createLab();
			const incident = lab.emulator.createIncident(lab.tenantId, {
				tags: ['existing'],
				status: 'Active',
			});
			const [item] = await runDefender(lab, {
				api,
				resource: 'incident',
				operation: 'update',
				incidentId: byId(incident.id as number),
				updateFields: {
					status: 'InProgress',
					assignedTo: 'tier2@contoso.com',
					classification: 'TruePositive',
					determination: 'Phishing',
					tags: 'n8n, existing',
					tagsMode: 'add',
					comment: 'Triaged by n8n',
				},
			});
			const stored = lab.emulator.getIncident(lab.tenantId, incident.id as number);
			expect(stored).toMatchObject({
				status: 'InProgress',
				assignedTo: 'tier2@contoso.com',
				classification: 'TruePositive',
				determination: 'Phishing',
				tags: ['existing', 'n8n'],
			});
			expect((stored.comments as IDataObject[]).map((comment) => comment.comment)).toEqual([
				'Triaged by n8n',
			]);
			expect(item.json).toMatchObject({
				id: String(incident.id),
				status: 'InProgress',
				tags: ['existing', 'n8n'],
			});
		});

		it('Update with Tags Mode replace leaves exactly the given tags', async () => {
			const lab = await createLab();
			const incident = lab.emulator.createIncident(lab.tenantId, { tags: ['old', 'older'] });
			await runDefender(lab, {
				api,
				resource: 'incident',
				operation: 'update',
				incidentId: byId(incident.id as number),
				updateFields: { tags: 'fresh', tagsMode: 'replace' },
			});
			expect(lab.emulator.getIncident(lab.tenantId, incident.id as number).tags).toEqual(['fresh']);
		});

		it('Update refuses an invalid value and an empty update, naming the field', async () => {
			const lab = await createLab();
			const incident = lab.emulator.createIncident(lab.tenantId, {});
			const run = async (updateFields: IDataObject) =>
				await runDefender(lab, {
					api,
					resource: 'incident',
					operation: 'update',
					incidentId: byId(incident.id as number),
					updateFields: updateFields as INodeParameters,
				});
			await expect(run({ status: 'Closed' })).rejects.toThrow(
				/Status "Closed" is not valid\. Use one of: Active, InProgress, Resolved, Redirected/,
			);
			await expect(run({})).rejects.toThrow(/Nothing to update/);
			expect(lab.calls({ method: 'PATCH' })).toHaveLength(0);
		});

		it('Add Comment appends a comment', async () => {
			const lab = await createLab();
			const incident = lab.emulator.createIncident(lab.tenantId, {});
			const [item] = await runDefender(lab, {
				api,
				resource: 'incident',
				operation: 'addComment',
				incidentId: byId(incident.id as number),
				comment: 'Looked at it',
			});
			expect(item.json).toMatchObject({ incidentId: String(incident.id), comment: 'Looked at it' });
			expect(
				(
					lab.emulator.getIncident(lab.tenantId, incident.id as number).comments as IDataObject[]
				).map((comment) => comment.comment),
			).toEqual(['Looked at it']);
		});
	},
);

describe('shared behaviour', () => {
	it('continueOnFail: a failed item yields { error } with its paired item, the rest go on', async () => {
		const lab = await createLab();
		const incident = lab.emulator.createIncident(lab.tenantId, {});
		const items = await runDefender(
			lab,
			{
				api: 'graph',
				resource: 'incident',
				operation: 'get',
				incidentId: byId('={{ $json.id }}'),
				simplify: true,
			},
			{
				continueOnFail: true,
				inputItems: [
					{ json: { id: incident.id } },
					{ json: { id: 424242 } },
					{ json: { id: incident.id } },
				],
			},
		);
		expect(items).toHaveLength(3);
		expect(items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(items[1].json.error).toMatch(/Incident 424242 not found/);
		expect(items[0].json.id).toBe(String(incident.id));
		expect(items[2].json.id).toBe(String(incident.id));
	});

	it('survives a 429 storm with Retry-After and a 500 before success', async () => {
		const lab = await createLab();
		lab.emulator.seedIncidents(lab.tenantId, 3);
		lab.emulator.injectFault({
			match: { api: 'graph', path: '/security/incidents' },
			times: 3,
			fault: { status: 429, headers: { 'retry-after': '1' } },
		});
		lab.emulator.injectFault({
			match: { api: 'graph', path: '/security/incidents' },
			times: 1,
			fault: { status: 500 },
		});
		const started = Date.now();
		const items = await runDefender(lab, {
			api: 'graph',
			resource: 'incident',
			operation: 'getAll',
			returnAll: true,
			filters: {},
		});
		expect(items).toHaveLength(3);
		expect(Date.now() - started).toBeGreaterThanOrEqual(3000);
		expect(lab.calls({ api: 'graph', status: 429 })).toHaveLength(3);
		expect(lab.calls({ api: 'graph', status: 500 })).toHaveLength(1);
	});

	it('names the missing permission on 403', async () => {
		const lab = await createLab({ roles: { graph: ['SecurityIncident.Read.All'], xdr: [] } });
		const incident = lab.emulator.createIncident(lab.tenantId, {});
		await expect(
			runDefender(lab, {
				api: 'graph',
				resource: 'incident',
				operation: 'update',
				incidentId: byId(incident.id as number),
				updateFields: { status: 'Resolved' },
			}),
		).rejects.toThrow(/lacks the application permission SecurityIncident\.ReadWrite\.All/);
	});

	it('Tenant ID option: one app serves another consented tenant with its own token', async () => {
		const lab = await createLab();
		const other = lab.addTenant();
		const incident = lab.emulator.createIncident(other, { title: 'Customer B incident' });
		const [item] = await runDefender(lab, {
			api: 'graph',
			resource: 'incident',
			operation: 'get',
			incidentId: byId(incident.id as number),
			options: { tenantId: other },
		});
		expect(item.json.title).toBe('Customer B incident');
		expect(
			lab.emulator.requests.some(
				(request) => request.api === 'login' && request.path === `/${other}/oauth2/v2.0/token`,
			),
		).toBe(true);
		await expect(
			runDefender(lab, {
				api: 'graph',
				resource: 'incident',
				operation: 'get',
				incidentId: byId(incident.id as number),
				options: { tenantId: 'bad tenant' },
			}),
		).rejects.toThrow(/Tenant ID "bad tenant" is not a tenant GUID/);
	});

	it('the client-side limiter keeps a busy workflow under the quota: no 429 at all', async () => {
		const lab = await createLab({ quotaWindowSeconds: 2 });
		lab.emulator.seedIncidents(lab.tenantId, 2);
		lab.emulator.setQuota({ category: 'incidentList', limit: 50, windowMs: 2000 });
		try {
			const inputItems = Array.from({ length: 120 }, (_, index) => ({ json: { index } }));
			const started = Date.now();
			const items = await runDefender(
				lab,
				{
					api: 'defenderXdr',
					resource: 'incident',
					operation: 'getAll',
					returnAll: false,
					limit: 1,
					filters: {},
				},
				{ inputItems },
			);
			expect(items).toHaveLength(120);
			expect(lab.calls({ api: 'xdr', status: 429 })).toHaveLength(0);
			// 120 calls at 50 per 2 s need at least two full windows.
			expect(Date.now() - started).toBeGreaterThanOrEqual(4000);
		} finally {
			lab.emulator.clearQuotas();
		}
	});
});
