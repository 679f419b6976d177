/**
 * Update writes nothing when every asked-for field already has that value (so a sync round does not move
 * the record's last update time and wake every trigger again), says so in its output, and writes anyway
 * with Write Even If Unchanged or a comment.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { createLab, runDefender, stopEmulator, type Lab } from '../support/lab';

afterAll(stopEmulator);

const byId = (id: unknown) => ({ __rl: true, mode: 'id', value: String(id) });
const writes = (lab: Lab) =>
	lab
		.calls()
		.filter(
			(request) =>
				request.api !== 'login' && (request.method === 'PATCH' || request.method === 'POST'),
		);
const sleep = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms));
const SKIP_REASON = expect.stringContaining('Write Even If Unchanged');

interface AlertEmulator {
	createAlert(tenantId: string, fields: IDataObject): IDataObject;
	getAlert(tenantId: string, id: string): IDataObject;
}
const alerts = (lab: Lab) => lab.emulator as unknown as AlertEmulator;

describe.each(['graph', 'defenderXdr'] as const)(
	'Incident › Update without a change on %s',
	(api) => {
		const update = async (
			lab: Lab,
			id: unknown,
			updateFields: IDataObject,
			options: IDataObject = {},
		) =>
			(
				await runDefender(lab, {
					api,
					resource: 'incident',
					operation: 'update',
					incidentId: byId(id),
					updateFields: updateFields as INodeParameters,
					options: options as INodeParameters,
				})
			)[0].json;

		it('skips the PATCH when every field already has the value, in either API’s spelling, and says so', async () => {
			const lab = await createLab();
			const incident = lab.emulator.createIncident(lab.tenantId, {
				status: 'InProgress',
				classification: 'TruePositive',
				determination: 'Malware',
				assignedTo: 'Ann@contoso.com',
				tags: ['Ransomware', 'JIRA-12'],
				createdTime: Date.now() - 60_000,
			});
			const before = lab.emulator.getIncident(lab.tenantId, incident.id as number).lastUpdateTime;
			const same = {
				status: 'InProgress',
				classification: 'TruePositive',
				determination: 'Malware',
				assignedTo: 'ann@contoso.com',
				tags: 'jira-12',
			};
			const output = await update(lab, incident.id, same);
			expect(output).toEqual(
				expect.objectContaining({
					id: String(incident.id),
					status: 'InProgress',
					tags: ['Ransomware', 'JIRA-12'],
					skipped: true,
					reason: SKIP_REASON,
				}),
			);
			const replaced = await update(lab, incident.id, {
				tags: 'JIRA-12, ransomware',
				tagsMode: 'replace',
			});
			expect(replaced.skipped).toBe(true);
			expect(writes(lab)).toEqual([]);
			expect(lab.emulator.getIncident(lab.tenantId, incident.id as number).lastUpdateTime).toBe(
				before,
			);
		});

		it('a determination each API spells its own way (Confirmed User Activity) counts as already set', async () => {
			const lab = await createLab();
			const incident = lab.emulator.createIncident(lab.tenantId, {
				createdTime: Date.now() - 60_000,
			});
			const fields = {
				classification: 'InformationalExpectedActivity',
				determination: 'ConfirmedUserActivity',
			};
			const first = await update(lab, incident.id, fields);
			expect(first).toEqual(expect.objectContaining({ ...fields }));
			expect(first.skipped).toBeUndefined();
			expect(writes(lab)).toHaveLength(1);
			const again = await update(lab, incident.id, fields);
			expect(again).toEqual(expect.objectContaining({ ...fields, skipped: true }));
			expect(writes(lab)).toHaveLength(1);
		});

		it('writes when one field differs, with a comment, and with Write Even If Unchanged', async () => {
			const lab = await createLab();
			const incident = lab.emulator.createIncident(lab.tenantId, {
				status: 'Active',
				createdTime: Date.now() - 60_000,
			});
			const id = incident.id as number;
			const changed = await update(lab, id, { status: 'Resolved', assignedTo: '' });
			expect(changed).toEqual(expect.objectContaining({ status: 'Resolved' }));
			expect(changed.skipped).toBeUndefined();
			expect(writes(lab)).toHaveLength(1);

			await sleep(5);
			const stamp = lab.emulator.getIncident(lab.tenantId, id).lastUpdateTime;
			const commented = await update(lab, id, { status: 'Resolved', comment: 'closed in JIRA-3' });
			expect(commented.skipped).toBeUndefined();
			expect(writes(lab)).toHaveLength(api === 'graph' ? 3 : 2);
			const afterComment = lab.emulator.getIncident(lab.tenantId, id);
			expect(afterComment.comments.map((comment) => comment.comment)).toEqual(['closed in JIRA-3']);
			expect(afterComment.lastUpdateTime > stamp).toBe(true);

			await sleep(5);
			const forced = await update(lab, id, { status: 'Resolved' }, { writeEvenIfUnchanged: true });
			expect(forced.skipped).toBeUndefined();
			expect(writes(lab)).toHaveLength(api === 'graph' ? 4 : 3);
			expect(
				lab.emulator.getIncident(lab.tenantId, id).lastUpdateTime > afterComment.lastUpdateTime,
			).toBe(true);
		});
	},
);

describe.each(['graph', 'defenderXdr'] as const)('Alert › Update without a change on %s', (api) => {
	it('skips the PATCH when the alert already has the values; writes when one differs', async () => {
		const lab = await createLab();
		const alert = alerts(lab).createAlert(lab.tenantId, { title: 'A', status: 'InProgress' });
		const run = async (updateFields: IDataObject) =>
			(
				await runDefender(lab, {
					api,
					resource: 'alert',
					operation: 'update',
					alertId: byId(alert.id),
					updateFields: updateFields as INodeParameters,
				})
			)[0].json;
		const same = await run({ status: 'InProgress' });
		expect(same).toEqual(
			expect.objectContaining({ id: alert.id, status: 'InProgress', skipped: true }),
		);
		expect(writes(lab)).toEqual([]);
		const changed = await run({ status: 'Resolved' });
		expect(changed).toEqual(expect.objectContaining({ status: 'Resolved' }));
		expect(changed.skipped).toBeUndefined();
		expect(writes(lab)).toHaveLength(1);
	});
});
