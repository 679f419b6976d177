import type { IDataObject } from 'n8n-workflow';

import { createLab, emulator, runDefender, stopEmulator } from '../support/lab';

afterAll(stopEmulator);
afterEach(async () => (await emulator()).clearFaults());

const EVENTS_SCHEMA = [
	{ name: 'Timestamp', type: 'DateTime' },
	{ name: 'DeviceName', type: 'String' },
	{ name: 'ProcessId', type: 'Int64' },
	{ name: 'Score', type: 'Double' },
	{ name: 'IsElevated', type: 'Boolean' },
	{ name: 'AdditionalFields', type: 'Dynamic' },
];

describe.each(['graph', 'defenderXdr'] as const)('Advanced Hunting › Run Query on %s', (api) => {
	it('outputs one item per row, typed from the schema (Dynamic JSON text parsed, DateTime kept as ISO text)', async () => {
		const lab = await createLab();
		lab.emulator.setHuntingTable(lab.tenantId, 'Events', {
			schema: EVENTS_SCHEMA,
			rows: [
				{
					Timestamp: '2026-11-20T10:00:00.1234567Z',
					DeviceName: 'ws-1',
					ProcessId: '4242',
					Score: '0.5',
					IsElevated: 'true',
					AdditionalFields: '{"parent":"explorer.exe","depth":2}',
				},
				{
					Timestamp: '2026-11-20T11:00:00Z',
					DeviceName: 'ws-2',
					ProcessId: 7,
					Score: 1,
					IsElevated: false,
					AdditionalFields: { already: 'object' },
				},
			],
		});
		const items = await runDefender(lab, {
			api,
			resource: 'huntingQuery',
			operation: 'run',
			query:
				'Events\n| where DeviceName == "ws-1"\n| project Timestamp, DeviceName, ProcessId, Score, IsElevated, AdditionalFields',
		});
		expect(items.map((item) => item.json)).toEqual([
			{
				Timestamp: '2026-11-20T10:00:00.1234567Z',
				DeviceName: 'ws-1',
				ProcessId: 4242,
				Score: 0.5,
				IsElevated: true,
				AdditionalFields: { parent: 'explorer.exe', depth: 2 },
			},
		]);
		expect(items[0].pairedItem).toEqual({ item: 0 });
	});

	it('One Item with All Rows carries the row count, and on request the schema and statistics', async () => {
		const lab = await createLab();
		const items = await runDefender(lab, {
			api,
			resource: 'huntingQuery',
			operation: 'run',
			query: 'DeviceInfo | take 2',
			output: 'single',
			options: { includeSchema: true, includeStatistics: true },
		});
		expect(items).toHaveLength(1);
		const json = items[0].json as IDataObject;
		expect(json.rowCount).toBe(2);
		expect(json.rows).toHaveLength(2);
		expect((json.schema as IDataObject[]).map((column) => column.name)).toContain('DeviceName');
		if (api === 'defenderXdr') expect(json.statistics).toHaveProperty('resource_usage');
	});

	it('shows the service message with the line of a syntax error', async () => {
		const lab = await createLab();
		await expect(
			runDefender(lab, {
				api,
				resource: 'huntingQuery',
				operation: 'run',
				query: 'DeviceInfo\n| wher DeviceName == "x"',
			}),
		).rejects.toThrow(/line \[?2/);
	});

	it('refuses an empty and an oversized query before any call', async () => {
		const lab = await createLab();
		await expect(
			runDefender(lab, { api, resource: 'huntingQuery', operation: 'run', query: '   ' }),
		).rejects.toThrow(/Query is empty/);
		await expect(
			runDefender(lab, {
				api,
				resource: 'huntingQuery',
				operation: 'run',
				query: `DeviceInfo | where DeviceName == "${'x'.repeat(1_000_000)}"`,
			}),
		).rejects.toThrow(/at most 100,000/);
		expect(lab.calls({ method: 'POST' })).toHaveLength(0);
	});

	it('a quota that stays exhausted says what to do', async () => {
		const lab = await createLab();
		lab.emulator.injectFault({
			match: { method: 'POST', api: api === 'graph' ? 'graph' : 'xdr' },
			times: 1,
			fault: { status: 429, headers: { 'retry-after': '900' } },
		});
		await expect(
			runDefender(lab, { api, resource: 'huntingQuery', operation: 'run', query: 'DeviceInfo' }),
		).rejects.toMatchObject({
			message: expect.stringMatching(/quota exhausted: the service asks to wait 900 s/),
			description: expect.stringMatching(/Narrow the time range/),
		});
	});
});

describe('Advanced Hunting › large results', () => {
	it('returns all 100,000 rows of a 10-column result', async () => {
		const lab = await createLab();
		const schema = Array.from({ length: 10 }, (_, column) => ({
			name: `C${column}`,
			type: column === 0 ? 'Int64' : 'String',
		}));
		lab.emulator.setHuntingTable(lab.tenantId, 'Big', {
			schema,
			rowCount: 100_000,
			row: (index: number) =>
				Object.fromEntries(
					schema.map((column, position) => [
						column.name,
						position === 0 ? index : `value-${index}-${position}`,
					]),
				),
		});
		const items = await runDefender(lab, {
			api: 'graph',
			resource: 'huntingQuery',
			operation: 'run',
			query: 'Big',
		});
		expect(items).toHaveLength(100_000);
		expect(items[99_999].json).toMatchObject({ C0: 99_999, C9: 'value-99999-9' });
	}, 120_000);
});

describe('Advanced Hunting › retirement note', () => {
	it('the Defender XDR API choice carries the 1 February 2027 notice', async () => {
		const { node } = await import('../support/lab');
		const notice = node.description.properties.find(
			(property) => property.name === 'retirementNotice',
		);
		expect(notice?.displayName).toContain('1 February 2027');
		expect(notice?.displayOptions?.show?.api).toEqual(['defenderXdr']);
	});
});
