/**
 * Microsoft Defender Trigger on alerts (New Alert / Updated Alert) through n8n-core: the same exactly-once
 * engine as incidents, fed by Graph alerts_v2 or the Defender for Endpoint alerts API.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { createLab, pollTrigger, stopEmulator, type Lab } from '../support/lab';

afterAll(stopEmulator);

interface AlertEmulator {
	createAlert(tenantId: string, fields: IDataObject): IDataObject;
	updateAlert(tenantId: string, id: string, fields: IDataObject): IDataObject;
}
const alerts = (lab: Lab) => lab.emulator as unknown as AlertEmulator;
const snapshot = (data: IDataObject) => JSON.parse(JSON.stringify(data)) as IDataObject;

// Back-Fill From is recomputed at every poll here, as an expression like {{ $now.minus({ hours: 1 }) }}
// would be: the trigger must not start afresh because of it.
describe.each([
	['graph', 'lastUpdateDateTime'],
	['defenderXdr', 'lastUpdateTime'],
] as const)('alert events on %s', (api, updatedField) => {
	const params = (event: string, filters: IDataObject = {}): INodeParameters => ({
		api,
		event,
		filters: filters as INodeParameters,
		options: { backfillFrom: new Date(Date.now() - 3_600_000).toISOString() },
		simplify: false,
	});
	const poll = async (lab: Lab, parameters: INodeParameters, staticData: IDataObject) =>
		((await pollTrigger(lab, parameters, staticData)).result?.[0] ?? []).map((item) => item.json);

	it('Updated Alert emits each change once across polls and a restart; New Alert each alert once', async () => {
		const lab = await createLab();
		const first = alerts(lab).createAlert(lab.tenantId, { title: 'A', severity: 'High' });
		const second = alerts(lab).createAlert(lab.tenantId, { title: 'B', severity: 'Low' });
		let updated: IDataObject = {};
		let created: IDataObject = {};
		const changes = (await poll(lab, params('alertUpdated'), updated)).map(
			(json) => `${json.id}@${json[updatedField]}`,
		);
		const creations = (await poll(lab, params('alertCreated'), created)).map((json) => json.id);
		expect(changes.sort()).toEqual(
			[`${first.id}@${first.lastUpdateTime}`, `${second.id}@${second.lastUpdateTime}`].sort(),
		);
		expect(creations.sort()).toEqual([first.id, second.id].sort());

		updated = snapshot(updated);
		created = snapshot(created);
		await new Promise((resolve) => setTimeout(resolve, 5));
		const changedFirst = alerts(lab).updateAlert(lab.tenantId, first.id as string, {
			status: 'InProgress',
		});
		const third = alerts(lab).createAlert(lab.tenantId, { title: 'C', severity: 'High' });
		const next = await poll(lab, params('alertUpdated'), updated);
		expect(next.map((json) => json.id).sort()).toEqual([changedFirst.id, third.id].sort());
		expect(await poll(lab, params('alertUpdated'), updated)).toEqual([]);
		expect((await poll(lab, params('alertCreated'), created)).map((json) => json.id)).toEqual([
			third.id,
		]);
	});

	it('filters by severity and simplifies to the alert shape', async () => {
		const lab = await createLab();
		alerts(lab).createAlert(lab.tenantId, { title: 'Noise', severity: 'Low' });
		const loud = alerts(lab).createAlert(lab.tenantId, {
			title: 'Loud',
			severity: 'High',
			computerDnsName: 'fin-laptop-7.contoso.local',
		});
		const { result } = await pollTrigger(
			lab,
			{ ...params('alertCreated', { severity: ['High'] }), simplify: true },
			{},
		);
		expect(result?.[0].map((item) => item.json)).toEqual([
			expect.objectContaining({
				id: loud.id,
				title: 'Loud',
				severity: 'High',
				status: 'New',
				deviceName: 'fin-laptop-7.contoso.local',
			}),
		]);
	});
});
