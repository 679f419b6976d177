// Workflows saved with 0.1.0 keep working (issue 22 §2): every determination and indicator action 0.1.0
// offered, as n8n saved it (test/fixtures/saved-0.1.0), runs through today's node against the emulator,
// which refuses the spellings Microsoft refuses. Each is sent in the API's spelling or refused before
// anything is sent, with a message naming what to pick.
import { readFileSync } from 'node:fs';
import path from 'node:path';

import type { INodeParameters } from 'n8n-workflow';

import { createLab, runDefender, stopEmulator, type Lab } from '../support/lab';

type SavedUpdate = INodeParameters & {
	api: string;
	updateFields: { classification: string; determination: string };
};
type SavedCreate = INodeParameters & {
	action: string;
	additionalFields: { generateAlert?: boolean };
};
type Saved = {
	incidentUpdate: SavedUpdate[];
	alertUpdate: SavedUpdate[];
	indicatorCreate: SavedCreate[];
};

const saved = JSON.parse(
	readFileSync(path.join(__dirname, '..', 'fixtures', 'saved-0.1.0', 'parameters.json'), 'utf8'),
) as Saved;
const byId = (value: string | number) => ({ __rl: true, mode: 'id', value: String(value) });
const writes = (lab: Lab) => lab.calls().filter((call) => ['PATCH', 'POST'].includes(call.method));

afterAll(stopEmulator);

describe('parameters saved by 0.1.0', () => {
	it('the fixture holds every value 0.1.0 offered', () => {
		const determinations = new Set(
			saved.incidentUpdate.map((parameters) => parameters.updateFields.determination),
		);
		expect(determinations.size).toBe(15);
		expect(determinations).toContain('ConfirmedUserActivity');
		expect(determinations).toContain('NotEnoughDataToValidate');
		expect(determinations).toContain('Apt');
		expect(saved.indicatorCreate.map((parameters) => parameters.action)).toEqual(
			expect.arrayContaining(['Alert', 'AlertAndBlock', 'Audit']),
		);
	});

	it.each(['incidentUpdate', 'alertUpdate'] as const)(
		'%s: each determination on each API is stored as chosen, or APT / Security Personnel refused off Graph before sending',
		async (kind) => {
			const lab = await createLab();
			const incident = lab.emulator.createIncident(lab.tenantId, { status: 'Active' });
			const alert = lab.emulator.createAlert(lab.tenantId, { title: 'Saved', status: 'New' });
			for (const parameters of saved[kind]) {
				const { determination } = parameters.updateFields;
				const graphOnly = determination === 'Apt' || determination === 'SecurityPersonnel';
				const before = writes(lab).length;
				const target: INodeParameters = {
					...parameters,
					...(kind === 'incidentUpdate'
						? { incidentId: byId(incident.id as number) }
						: { alertId: byId(alert.id as string) }),
				};
				const run = runDefender(lab, target);
				const label = `${parameters.api} ${String(determination)}`;
				if (graphOnly && parameters.api !== 'graph') {
					await expect(run).rejects.toThrow(
						/no longer accepted by the Defender (XDR|for Endpoint) API/,
					);
					await expect(runDefender(lab, target, { continueOnFail: true })).resolves.toEqual([
						expect.objectContaining({
							json: expect.objectContaining({
								description: expect.stringMatching(/^Pick .+ under Determination/),
							}),
						}),
					]);
					expect({ label, sent: writes(lab).length - before }).toEqual({ label, sent: 0 });
					continue;
				}
				const [item] = await run;
				const stored =
					kind === 'incidentUpdate'
						? lab.emulator.getIncident(lab.tenantId, incident.id as number)
						: lab.emulator.getAlert(lab.tenantId, alert.id as string)!;
				// The emulator took the API's spelling (it answers 400 to any other) and keeps the node's value.
				expect({ label, stored: stored.determination, output: item.json.determination }).toEqual({
					label,
					stored: determination,
					output: determination,
				});
			}
		},
	);

	it('Indicator → Create: retired Alert / AlertAndBlock are sent as Audit / Block with Generate Alert, Audit always alerts, Audit with Generate Alert off is refused', async () => {
		const lab = await createLab();
		for (const parameters of saved.indicatorCreate) {
			const before = writes(lab).length;
			const label = `${parameters.action} ${JSON.stringify(parameters.additionalFields)}`;
			if (parameters.additionalFields.generateAlert === false) {
				await expect(runDefender(lab, parameters)).rejects.toThrow(
					/Generate Alert is off, but Microsoft requires it on for Action Audit\. Turn Generate Alert on, or pick Action Block or Allowed/,
				);
				expect({ label, sent: writes(lab).length - before }).toEqual({ label, sent: 0 });
				continue;
			}
			const [item] = await runDefender(lab, parameters);
			const stored = lab.emulator.getIndicator(lab.tenantId, String(item.json.id))!;
			const expected =
				{ Alert: 'Audit', AlertAndBlock: 'Block' }[parameters.action] ?? parameters.action;
			expect({ label, action: stored.action }).toEqual({ label, action: expected });
			if (expected === 'Audit' || expected !== parameters.action)
				expect({ label, generateAlert: stored.generateAlert }).toEqual({
					label,
					generateAlert: true,
				});
			if (expected !== parameters.action)
				expect(String(item.json.notice)).toMatch(
					new RegExp(
						`Action ${parameters.action} was retired by Microsoft in January 2022: sent as ${expected} with Generate Alert on`,
					),
				);
			else expect(item.json.notice).toBeUndefined();
		}
	});
});
