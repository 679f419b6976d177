/**
 * Microsoft Defender Trigger: New Comment (incidents and alerts) and Ignore Changes by This App, through
 * n8n-core's PollContext against the emulator. Comments reach the trigger through their record's last
 * update; each must come out once (restarts, same tick, paging), and this app's own writes not at all
 * unless a person may have changed something too.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { createLab, pollTrigger, runDefender, stopEmulator, type Lab } from '../support/lab';

afterAll(stopEmulator);

type Api = 'graph' | 'defenderXdr';
const MINUTE = 60_000;
const snapshot = (data: IDataObject) => JSON.parse(JSON.stringify(data)) as IDataObject;
const sleep = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms));
const byId = (id: unknown) => ({ __rl: true, mode: 'id', value: String(id) });

interface AlertEmulator {
	createAlert(tenantId: string, fields: IDataObject): IDataObject;
	updateAlert(tenantId: string, id: string, fields: IDataObject, author?: string): IDataObject;
}
const alerts = (lab: Lab) => lab.emulator as unknown as AlertEmulator;

function watcher(lab: Lab, parameters: INodeParameters) {
	let staticData: IDataObject = {};
	return {
		get staticData() {
			return staticData;
		},
		async poll(): Promise<IDataObject[]> {
			const { result } = await pollTrigger(lab, parameters, staticData);
			return (result?.[0] ?? []).map((item) => item.json);
		},
		restart() {
			staticData = snapshot(staticData);
		},
	};
}

const params = (
	api: Api,
	event: string,
	options: IDataObject = {},
	backfill = true,
): INodeParameters => ({
	api,
	event,
	filters: {},
	options: {
		...(backfill ? { backfillFrom: new Date(Date.now() - 60 * MINUTE).toISOString() } : {}),
		...options,
	},
	simplify: true,
});
const texts = (items: IDataObject[]) => items.map((item) => String(item.comment)).sort();

describe.each(['graph', 'defenderXdr'] as const)('New Comment on Incident on %s', (api) => {
	it('emits each comment once with its incident, across polls, a restart and comments in the same tick', async () => {
		const lab = await createLab();
		const incident = lab.emulator.createIncident(lab.tenantId, {
			title: 'Ransomware on ws-1',
			comment: 'opened by the portal',
			createdTime: Date.now() - 30 * MINUTE,
		});
		const trig = watcher(lab, params(api, 'commentCreated'));
		const first = await trig.poll();
		expect(first).toEqual([
			{
				incidentId: String(incident.id),
				title: 'Ransomware on ws-1',
				severity: 'Medium',
				status: 'Active',
				portalUrl: expect.stringContaining(`/incidents/${incident.id}`),
				tags: [],
				author: 'emulator',
				createdAt: new Date(Date.parse(String(incident.createdTime))).toISOString(),
				comment: 'opened by the portal',
			},
		]);
		// Two people, and the same words twice, in one tick: four comments, four items.
		const tick = Date.now() - 2 * MINUTE;
		const id = incident.id as number;
		lab.emulator.updateIncident(
			lab.tenantId,
			id,
			{ comment: 'isolating', lastUpdateTime: tick },
			'ann@contoso.com',
		);
		lab.emulator.updateIncident(
			lab.tenantId,
			id,
			{ comment: 'isolating', lastUpdateTime: tick },
			'ann@contoso.com',
		);
		lab.emulator.updateIncident(
			lab.tenantId,
			id,
			{ comment: 'isolating', lastUpdateTime: tick },
			'bob@contoso.com',
		);
		lab.emulator.updateIncident(
			lab.tenantId,
			id,
			{ comment: 'done', lastUpdateTime: tick },
			'bob@contoso.com',
		);
		const second = await trig.poll();
		expect(second.map((item) => `${item.author}:${item.comment}`).sort()).toEqual(
			[
				'ann@contoso.com:isolating',
				'ann@contoso.com:isolating',
				'bob@contoso.com:isolating',
				'bob@contoso.com:done',
			].sort(),
		);
		trig.restart();
		expect(await trig.poll()).toEqual([]);
		// A change that adds no comment emits nothing; the next comment only itself.
		lab.emulator.updateIncident(lab.tenantId, id, { status: 'InProgress' });
		expect(await trig.poll()).toEqual([]);
		await sleep(5);
		lab.emulator.updateIncident(lab.tenantId, id, { comment: 'contained' }, 'ann@contoso.com');
		trig.restart();
		expect(texts(await trig.poll())).toEqual(['contained']);
		expect(await trig.poll()).toEqual([]);
	});

	it('first activation emits nothing already there; a late-indexed comment inside the overlap still comes once', async () => {
		const lab = await createLab();
		const old = lab.emulator.createIncident(lab.tenantId, {
			comment: 'before activation',
			createdTime: Date.now() - 5 * MINUTE,
		});
		const trig = watcher(lab, params(api, 'commentCreated', {}, false));
		expect(await trig.poll()).toEqual([]);
		// Written 3 minutes ago but listed only now (late indexing): inside the 10-minute overlap.
		lab.emulator.updateIncident(
			lab.tenantId,
			old.id as number,
			{ comment: 'late', lastUpdateTime: Date.now() - 3 * MINUTE },
			'ann@contoso.com',
		);
		trig.restart();
		expect(texts(await trig.poll())).toEqual(['late']);
		expect(await trig.poll()).toEqual([]);
	});

	it('Fetch Test Event returns the newest comment and leaves the static data alone', async () => {
		const lab = await createLab();
		const older = lab.emulator.createIncident(lab.tenantId, {
			comment: 'older',
			createdTime: Date.now() - 20 * MINUTE,
		});
		lab.emulator.createIncident(lab.tenantId, { createdTime: Date.now() - 5 * MINUTE });
		lab.emulator.updateIncident(
			lab.tenantId,
			older.id as number,
			{ comment: 'newest', lastUpdateTime: Date.now() - 2 * MINUTE },
			'ann@contoso.com',
		);
		const staticData: IDataObject = {};
		const { result } = await pollTrigger(lab, params(api, 'commentCreated'), staticData, 'manual');
		expect((result?.[0] ?? []).map((item) => item.json)).toEqual([
			expect.objectContaining({
				incidentId: String(older.id),
				comment: 'newest',
				author: 'ann@contoso.com',
			}),
		]);
		expect(staticData).toEqual({});
	});

	it('comments on more incidents than a page holds are each emitted once', async () => {
		const lab = await createLab();
		const count = api === 'graph' ? 120 : 230;
		const now = Date.now();
		for (let i = 0; i < count; i++) {
			lab.emulator.createIncident(lab.tenantId, {
				comment: `note ${i}`,
				// Groups of ten share a millisecond, so windows split and fall back to paging.
				createdTime: now - 20 * MINUTE + Math.floor(i / 10),
			});
		}
		const trig = watcher(lab, params(api, 'commentCreated'));
		const items = await trig.poll();
		expect(texts(items)).toEqual(Array.from({ length: count }, (_, i) => `note ${i}`).sort());
		expect(await trig.poll()).toEqual([]);
	});

	it('Ignore Changes by This App drops the app’s own comments, also when a person wrote in the same tick', async () => {
		const lab = await createLab();
		const incident = lab.emulator.createIncident(lab.tenantId, {
			createdTime: Date.now() - 10 * MINUTE,
		});
		const id = incident.id as number;
		const guarded = watcher(lab, params(api, 'commentCreated', { ignoreOwnChanges: true }));
		const unguarded = watcher(lab, params(api, 'commentCreated'));
		expect(await guarded.poll()).toEqual([]);
		expect(await unguarded.poll()).toEqual([]);
		await runDefender(lab, {
			api,
			resource: 'incident',
			operation: 'addComment',
			incidentId: byId(id),
			comment: 'from the ticket: please isolate',
		});
		const tick = Date.now();
		lab.emulator.updateIncident(
			lab.tenantId,
			id,
			{ comment: 'on it', lastUpdateTime: tick },
			'ann@contoso.com',
		);
		lab.emulator.updateIncident(
			lab.tenantId,
			id,
			{ comment: 'synced', lastUpdateTime: tick },
			`API-App:${lab.clientId}`,
		);
		const own = await guarded.poll();
		expect(own.map((item) => `${item.author}:${item.comment}`)).toEqual(['ann@contoso.com:on it']);
		expect(texts(await unguarded.poll())).toEqual([
			'from the ticket: please isolate',
			'on it',
			'synced',
		]);
		// The app's name as Defender shows it (API-App:<display name>) counts once given.
		lab.emulator.updateIncident(lab.tenantId, id, { comment: 'named' }, 'API-App:n8n Sync');
		const named = watcher(
			lab,
			params(api, 'commentCreated', {
				ignoreOwnChanges: true,
				ownAuthorNames: 'Other App, n8n sync',
			}),
		);
		expect(texts(await named.poll())).toEqual(['on it']);
		expect(texts(await guarded.poll())).toEqual(['named']);
	});
});

describe.each(['graph', 'defenderXdr'] as const)(
	'Updated Incident with Ignore Changes by This App on %s',
	(api) => {
		const updatedParams = (ignoreOwnChanges: boolean) =>
			params(api, 'incidentUpdated', { ignoreOwnChanges });
		const update = async (lab: Lab, id: unknown, updateFields: IDataObject) =>
			await runDefender(lab, {
				api,
				resource: 'incident',
				operation: 'update',
				incidentId: byId(id),
				updateFields: updateFields as INodeParameters,
			});
		const ids = (items: IDataObject[]) => items.map((item) => String(item.id));

		it('drops a change that only added the app’s comment; emits field changes and anything a person did', async () => {
			const lab = await createLab();
			const incident = lab.emulator.createIncident(lab.tenantId, {
				createdTime: Date.now() - 10 * MINUTE,
			});
			const id = String(incident.id);
			const guarded = watcher(lab, updatedParams(true));
			const plain = watcher(lab, updatedParams(false));
			expect(ids(await guarded.poll())).toEqual([id]);
			expect(ids(await plain.poll())).toEqual([id]);

			// Only the app's comment: surely its own.
			await sleep(5);
			await update(lab, id, { comment: 'synced from JIRA-1' });
			guarded.restart();
			expect(await guarded.poll()).toEqual([]);
			expect(ids(await plain.poll())).toEqual([id]);

			// The app changed a field: Defender cannot say nobody else did too, so it is emitted.
			await sleep(5);
			await update(lab, id, { status: 'InProgress' });
			expect(ids(await guarded.poll())).toEqual([id]);
			expect(ids(await plain.poll())).toEqual([id]);

			// A person's comment and then the app's, between two polls: the person's must not be lost.
			await sleep(5);
			lab.emulator.updateIncident(
				lab.tenantId,
				Number(id),
				{ comment: 'looks bad' },
				'ann@contoso.com',
			);
			await sleep(5);
			await update(lab, id, { comment: 'synced from JIRA-1' });
			expect(ids(await guarded.poll())).toEqual([id]);

			// A person's field change and then the app's comment: the same.
			await sleep(5);
			lab.emulator.updateIncident(
				lab.tenantId,
				Number(id),
				{ assignedTo: 'ann@contoso.com' },
				'ann@contoso.com',
			);
			await sleep(5);
			await update(lab, id, { comment: 'synced again' });
			const both = await guarded.poll();
			expect(ids(both)).toEqual([id]);
			expect(both[0].assignedTo).toBe('ann@contoso.com');
			expect(await guarded.poll()).toEqual([]);
		});

		it('an incident first seen with only the app’s comment is emitted (its earlier change was never seen)', async () => {
			const lab = await createLab();
			const guarded = watcher(
				lab,
				params(api, 'incidentUpdated', { ignoreOwnChanges: true }, false),
			);
			expect(await guarded.poll()).toEqual([]);
			const incident = lab.emulator.createIncident(lab.tenantId, {});
			await sleep(5);
			await update(lab, incident.id, { comment: 'ticket JIRA-7 opened' });
			expect(ids(await guarded.poll())).toEqual([String(incident.id)]);
			expect(await guarded.poll()).toEqual([]);
		});
	},
);

describe.each(['graph', 'defenderXdr'] as const)('New Comment on Alert on %s', (api) => {
	it('emits each alert comment once with the alert and its incident; the app’s own are ignored on request', async () => {
		const lab = await createLab();
		const alert = alerts(lab).createAlert(lab.tenantId, { title: 'Mimikatz', severity: 'High' });
		const id = String(alert.id);
		const guarded = watcher(lab, params(api, 'alertCommentCreated', { ignoreOwnChanges: true }));
		const plain = watcher(lab, params(api, 'alertCommentCreated'));
		expect(await guarded.poll()).toEqual([]);
		expect(await plain.poll()).toEqual([]);
		await sleep(5);
		alerts(lab).updateAlert(lab.tenantId, id, { comment: 'benign admin tool?' }, 'ann@contoso.com');
		await runDefender(lab, {
			api,
			resource: 'alert',
			operation: 'addComment',
			alertId: byId(id),
			comment: 'from the ticket',
		});
		const items = await plain.poll();
		expect(texts(items)).toEqual(['benign admin tool?', 'from the ticket']);
		expect(items.find((item) => item.author === 'ann@contoso.com')).toEqual(
			expect.objectContaining({
				alertId: id,
				incidentId: String(alert.incidentId),
				title: 'Mimikatz',
				severity: 'High',
				comment: 'benign admin tool?',
			}),
		);
		expect(texts(await guarded.poll())).toEqual(['benign admin tool?']);
		plain.restart();
		expect(await plain.poll()).toEqual([]);
	});
});
