/**
 * Microsoft Defender Trigger against the emulator, through n8n-core's PollContext/PollTriggerExecutor.
 * The central assertion: the multiset of emitted changes (incident id @ lastUpdateTime) equals the
 * changes the emulator made — every change once, none twice, none skipped.
 */
import type { IDataObject, INodeParameters, INodeType, IPollFunctions } from 'n8n-workflow';

import { runPoll } from '../harness/n8n';
import {
	createLab,
	credentialType,
	pollTrigger,
	stopEmulator,
	trigger,
	type Lab,
} from '../support/lab';

afterAll(stopEmulator);

type Api = 'graph' | 'defenderXdr';
const MINUTE = 60_000;
const LIST = /\/incidents$/;
/** Closed windows only (their filter has an upper bound): every list request of a poll but the first. */
const CLOSED_WINDOW = '/%20and%20|\\+and\\+/';

/** An API timestamp with 7 fractional digits; `ticks` are the 100 ns digits below the millisecond. */
const at = (ms: number, ticks = 0) =>
	new Date(ms).toISOString().replace('Z', `${String(ticks).padStart(4, '0')}Z`);
/** A change as the emulator reports it (canonical incident). */
const versionOf = (incident: IDataObject) => `${incident.id}@${incident.lastUpdateTime}`;
/** The same change read from an emitted raw item. */
const emittedKey = (api: Api, json: IDataObject) =>
	api === 'graph'
		? `${json.id}@${json.lastUpdateDateTime}`
		: `${json.incidentId}@${json.lastUpdateTime}`;
const sorted = (keys: string[]) => [...keys].sort();
const duplicates = (keys: string[]) => keys.filter((key, index) => keys.indexOf(key) !== index);
/** Static data as n8n would store it (it is a proxy in memory). */
const snapshot = (data: IDataObject) => JSON.parse(JSON.stringify(data)) as IDataObject;
const sleep = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms));
const listCalls = (lab: Lab) =>
	lab.calls({ method: 'GET' }).filter((request) => LIST.test(request.path));

const parameters = (
	api: Api,
	overrides: IDataObject = {},
	options: IDataObject = {},
): INodeParameters => ({
	api,
	event: 'incidentUpdated',
	filters: {},
	options: { overlapMinutes: 10, ...options },
	simplify: false,
	...overrides,
});
const backfill = (api: Api, fromMs: number, overrides: IDataObject = {}) =>
	parameters(api, overrides, { backfillFrom: new Date(fromMs).toISOString() });

/**
 * A trigger in an active workflow and the changes the test made. A poll owes every incident's version
 * as of the poll's start (a version replaced before any poll began was never visible to the trigger).
 */
function feed(lab: Lab, api: Api, params: INodeParameters, nodeType?: INodeType) {
	let staticData: IDataObject = {};
	const unpolled = new Map<string, string>();
	const expected: string[] = [];
	const emitted: string[] = [];
	const track = (incident: IDataObject) => {
		unpolled.set(String(incident.id), versionOf(incident));
		return incident;
	};
	return {
		expected,
		emitted,
		get staticData() {
			return staticData;
		},
		create: (fields: IDataObject = {}) => track(lab.emulator.createIncident(lab.tenantId, fields)),
		update: (id: unknown, fields: IDataObject = {}) =>
			track(lab.emulator.updateIncident(lab.tenantId, id as number, fields)),
		/** One scheduled poll; the keys it emitted. */
		async poll(): Promise<string[]> {
			expected.push(...unpolled.values());
			unpolled.clear();
			const { result } = nodeType
				? await runPoll({
						nodeType,
						credentialType,
						credentials: lab.credentials,
						parameters: params,
						staticData,
					})
				: await pollTrigger(lab, params, staticData);
			const keys = (result?.[0] ?? []).map((item) => emittedKey(api, item.json));
			emitted.push(...keys);
			return keys;
		},
		/** n8n restarts: the workflow's static data comes back from the database as JSON. */
		restart() {
			staticData = snapshot(staticData);
		},
	};
}

/** `count` incidents at distinct times spread evenly over the `spanMs` before now, oldest first. */
function createSpread(
	trig: { create: (fields: IDataObject) => IDataObject },
	count: number,
	spanMs: number,
) {
	const now = Date.now();
	return Array.from({ length: count }, (_, i) =>
		trig.create({
			lastUpdateTime: at(now - spanMs + Math.floor((i * spanMs) / count), i % 10_000),
		}),
	);
}

describe.each(['graph', 'defenderXdr'] as const)('Microsoft Defender Trigger on %s', (api) => {
	it('emits every change once across polls, a restart and late arrivals, several in the same second', async () => {
		const lab = await createLab();
		const now = Date.now();
		const trig = feed(lab, api, backfill(api, now - 60 * MINUTE));
		const a = trig.create({ lastUpdateTime: at(now - 40 * MINUTE) });
		const b = trig.create({ lastUpdateTime: at(now - 30 * MINUTE) });
		expect(sorted(await trig.poll())).toEqual(sorted([versionOf(a), versionOf(b)]));

		// Same second; two with an identical timestamp; an update stamped like another incident.
		const second = now - 20_000;
		const c = trig.create({ lastUpdateTime: at(second, 1) });
		trig.create({ lastUpdateTime: at(second + 400, 2) });
		trig.create({ lastUpdateTime: at(second + 400, 2) });
		trig.update(a.id, { status: 'InProgress' });
		trig.update(b.id, { severity: 'High', lastUpdateTime: at(second, 1) });
		expect(await trig.poll()).toHaveLength(5);

		trig.restart();
		// Late: indexed after the last poll with a time inside the overlap window.
		trig.create({ lastUpdateTime: at(Date.now() - 3 * MINUTE) });
		trig.update(c.id, {
			assignedTo: 'analyst@contoso.com',
			lastUpdateTime: at(Date.now() - 5 * MINUTE, 7),
		});
		trig.create({});
		expect(await trig.poll()).toHaveLength(3);
		expect(await trig.poll()).toEqual([]);
		trig.update(a.id, { status: 'Resolved' });
		expect(await trig.poll()).toHaveLength(1);

		expect(sorted(trig.emitted)).toEqual(sorted(trig.expected));
	});

	it('first activation emits nothing, not even the overlap window; later changes are emitted', async () => {
		const lab = await createLab();
		const old = lab.emulator.createIncident(lab.tenantId, {
			lastUpdateTime: at(Date.now() - 3 * 60 * MINUTE),
		});
		lab.emulator.createIncident(lab.tenantId, { lastUpdateTime: at(Date.now() - 2 * MINUTE) });
		lab.emulator.createIncident(lab.tenantId, {});
		const trig = feed(lab, api, parameters(api));
		expect(await trig.poll()).toEqual([]);
		expect(trig.staticData['node:Microsoft Defender Trigger']).toMatchObject({
			feed: { version: 1 },
		});

		trig.update(old.id, { status: 'InProgress' });
		trig.create({});
		expect(await trig.poll()).toHaveLength(2);
		expect(await trig.poll()).toEqual([]);
		expect(sorted(trig.emitted)).toEqual(sorted(trig.expected));
	});

	it('Back-Fill From emits the history from that date on, nothing before it', async () => {
		const lab = await createLab();
		const from = Date.now() - 2 * 60 * MINUTE;
		lab.emulator.createIncident(lab.tenantId, { lastUpdateTime: at(from - 5 * MINUTE) });
		lab.emulator.createIncident(lab.tenantId, { lastUpdateTime: at(from - 1) });
		const trig = feed(lab, api, backfill(api, from));
		trig.create({ lastUpdateTime: at(from) });
		trig.create({ lastUpdateTime: at(from + 30 * MINUTE) });
		trig.create({});
		expect(await trig.poll()).toHaveLength(3);
		expect(await trig.poll()).toEqual([]);
		expect(sorted(trig.emitted)).toEqual(sorted(trig.expected));
	});

	it('250 new incidents in one poll (many windows, a millisecond holding more than a page) are emitted once each', async () => {
		const lab = await createLab();
		const now = Date.now();
		const trig = feed(lab, api, backfill(api, now - 60 * MINUTE));
		createSpread(trig, 250, 50 * MINUTE);
		// 120 changes in one millisecond: more than a page of either API.
		for (let i = 0; i < 120; i++) trig.create({ lastUpdateTime: at(now - 5 * MINUTE, i) });
		const before = listCalls(lab).length;
		expect(await trig.poll()).toHaveLength(370);
		expect(duplicates(trig.emitted)).toEqual([]);
		expect(sorted(trig.emitted)).toEqual(sorted(trig.expected));
		const requests = listCalls(lab).length - before;
		expect(requests).toBeLessThan(api === 'graph' ? 40 : 25);
		expect(await trig.poll()).toEqual([]);
	});

	it('an Overlap Window that is not 1 to 1,440 minutes fails the poll by name before any request', async () => {
		const lab = await createLab();
		const trig = feed(lab, api, parameters(api, {}, { overlapMinutes: '={{ "ten" }}' }));
		const before = listCalls(lab).length;
		await expect(trig.poll()).rejects.toThrow(/^Overlap Window "ten" is not a number of minutes/);
		expect(listCalls(lab)).toHaveLength(before);
	});

	it('a poll failing half-way through paging moves nothing; the next poll emits everything exactly once', async () => {
		const lab = await createLab();
		const now = Date.now();
		const trig = feed(lab, api, backfill(api, now - 60 * MINUTE));
		const first = trig.create({ lastUpdateTime: at(now - 55 * MINUTE) });
		expect(await trig.poll()).toHaveLength(1);

		createSpread(trig, 130, 50 * MINUTE);
		trig.update(first.id, { status: 'InProgress' });
		const saved = snapshot(trig.staticData);
		// The 2nd list request (the first closed window) fails five times: the poll gives up after its retries.
		lab.emulator.injectFault({
			match: { api: api === 'graph' ? 'graph' : 'xdr', path: CLOSED_WINDOW },
			times: 5,
			fault: { status: 500 },
		});
		await expect(trig.poll()).rejects.toThrow(/answered 500 \(a server error\) after 5 attempts/);
		expect(
			listCalls(lab)
				.slice(-6)
				.map((request) => request.status),
		).toEqual([200, 500, 500, 500, 500, 500]);
		expect(trig.staticData).toEqual(saved);

		expect(await trig.poll()).toHaveLength(131);
		expect(await trig.poll()).toEqual([]);
		expect(sorted(trig.emitted)).toEqual(sorted(trig.expected));
	});

	it('incidents changed while a poll is paging are neither skipped nor emitted twice (this poll or the next)', async () => {
		const lab = await createLab();
		const now = Date.now();
		const trig = feed(lab, api, backfill(api, now - 60 * MINUTE));
		const incidents = createSpread(trig, 220, 50 * MINUTE);
		// Slow list requests: the poll is still paging when the test changes incidents.
		lab.emulator.injectFault({
			match: { path: 'incidents' },
			times: 1000,
			fault: { delayMs: 150 },
		});
		try {
			const polling = trig.poll();
			const start = listCalls(lab).length;
			for (let waited = 0; waited < 5000 && listCalls(lab).length < start + 2; waited += 10)
				await sleep(10);
			const superseded: string[] = [];
			// Every 9th incident changes: older ones sit in windows not read yet, and move to the newest.
			for (const incident of incidents.filter((_, i) => i % 9 === 4)) {
				superseded.push(versionOf(incident));
				trig.update(incident.id, { status: 'Resolved' });
			}
			trig.create({});
			const requestsAtChange = listCalls(lab).length;
			await polling;
			expect(listCalls(lab).length).toBeGreaterThan(requestsAtChange);
			await trig.poll();
			expect(await trig.poll()).toEqual([]);

			expect(duplicates(trig.emitted)).toEqual([]);
			// A version replaced mid-poll may or may not have been read before it changed; everything else exactly once.
			const known = new Set([...trig.expected, ...superseded]);
			expect(trig.emitted.filter((key) => !known.has(key))).toEqual([]);
			expect(sorted(trig.emitted.filter((key) => !superseded.includes(key)))).toEqual(
				sorted(trig.expected.filter((key) => !superseded.includes(key))),
			);
			expect(trig.expected).toHaveLength(220 + superseded.length + 1);
		} finally {
			lab.emulator.clearFaults();
		}
	});

	it('New Incident emits each incident once, also when it is indexed late, and not its updates', async () => {
		const lab = await createLab();
		const now = Date.now();
		const trig = feed(lab, api, backfill(api, now - 60 * MINUTE, { event: 'incidentCreated' }));
		const ids = (keys: string[]) => sorted(keys.map((key) => key.split('@')[0]));
		const created = [10, 20, 30].map((minutes) =>
			lab.emulator.createIncident(lab.tenantId, { createdTime: at(now - minutes * MINUTE) }),
		);
		expect(ids(await trig.poll())).toEqual(ids(created.map(versionOf)));
		lab.emulator.updateIncident(lab.tenantId, created[0].id as number, { status: 'Resolved' });
		const late = lab.emulator.createIncident(lab.tenantId, {
			createdTime: at(Date.now() - 4 * MINUTE),
		});
		const fresh = lab.emulator.createIncident(lab.tenantId, {});
		expect(ids(await trig.poll())).toEqual(ids([late, fresh].map(versionOf)));
		trig.restart();
		expect(await trig.poll()).toEqual([]);
	});

	it('Severity and Status filters select incidents; a change that makes one match emits it', async () => {
		const lab = await createLab();
		const now = Date.now();
		const trig = feed(
			lab,
			api,
			backfill(api, now - 60 * MINUTE, {
				filters: { severity: ['High', 'Medium'], status: ['Active', 'InProgress'] },
			}),
		);
		const make = (severity: string, status: string) =>
			lab.emulator.createIncident(lab.tenantId, {
				severity,
				status,
				lastUpdateTime: at(now - 10 * MINUTE),
			});
		const wanted = [make('High', 'Active'), make('Medium', 'InProgress')];
		const low = make('Low', 'Active');
		make('High', 'Resolved');
		make('UnSpecified', 'Active');
		expect(sorted(await trig.poll())).toEqual(sorted(wanted.map(versionOf)));
		const raised = lab.emulator.updateIncident(lab.tenantId, low.id as number, {
			severity: 'High',
		});
		expect(await trig.poll()).toEqual([versionOf(raised)]);
	});

	it('Simplify gives the node’s compact shape; raw output keeps the API’s fields, alerts only on request', async () => {
		const lab = await createLab();
		const now = Date.now();
		const incident = lab.emulator.createIncident(lab.tenantId, {
			severity: 'High',
			status: 'InProgress',
			tags: ['vip'],
			devices: ['a.contoso.local', 'b.contoso.local'],
			createdTime: at(now - 2 * MINUTE),
			lastUpdateTime: at(now - MINUTE),
		});
		const poll = async (overrides: IDataObject, options: IDataObject = {}) =>
			(
				await pollTrigger(
					lab,
					parameters(api, overrides, {
						backfillFrom: new Date(now - 10 * MINUTE).toISOString(),
						...options,
					}),
					{},
				)
			).result?.[0] ?? [];

		const [simple] = await poll({ simplify: true }, { includeAlerts: true });
		expect(simple.json).toEqual({
			id: String(incident.id),
			title: incident.title,
			severity: 'High',
			status: 'InProgress',
			classification: 'Unknown',
			determination: 'NotAvailable',
			assignedTo: null,
			createdAt: new Date(now - 2 * MINUTE).toISOString(),
			updatedAt: new Date(now - MINUTE).toISOString(),
			tags: ['vip'],
			alertCount: 2,
			portalUrl: expect.stringContaining(`/incidents/${incident.id}`),
		});
		const [withoutAlerts] = await poll({ simplify: true });
		expect(withoutAlerts.json.alertCount).toBeNull();

		const [raw] = await poll({ simplify: false });
		expect(raw.json).toMatchObject(
			api === 'graph'
				? { id: String(incident.id), lastUpdateDateTime: incident.lastUpdateTime, severity: 'high' }
				: { incidentId: incident.id, lastUpdateTime: incident.lastUpdateTime, severity: 'High' },
		);
		expect(raw.json).not.toHaveProperty('alerts');
	});

	it('Fetch Test Event returns the most recent matching incident and leaves the static data alone', async () => {
		const lab = await createLab();
		const now = Date.now();
		const params = parameters(api, { filters: { severity: ['High'] } });
		lab.emulator.createIncident(lab.tenantId, {
			severity: 'High',
			lastUpdateTime: at(now - 3 * 60 * MINUTE),
		});
		const latestHigh = lab.emulator.createIncident(lab.tenantId, {
			severity: 'High',
			lastUpdateTime: at(now - 2 * 60 * MINUTE),
		});
		for (let i = 0; i < 120; i++)
			lab.emulator.createIncident(lab.tenantId, {
				severity: 'Low',
				lastUpdateTime: at(now - 60 * MINUTE + i * 1000),
			});

		const empty: IDataObject = {};
		const sample = await pollTrigger(lab, params, empty, 'manual');
		expect(sample.result?.[0].map((item) => emittedKey(api, item.json))).toEqual([
			versionOf(latestHigh),
		]);
		expect(empty).toEqual({});

		const active: IDataObject = {};
		await pollTrigger(lab, params, active);
		const saved = snapshot(active);
		// The newest window holds the match: one look at it is enough.
		const newest = lab.emulator.createIncident(lab.tenantId, { severity: 'High' });
		const before = listCalls(lab).length;
		const again = await pollTrigger(lab, params, active, 'manual');
		expect(again.result?.[0].map((item) => emittedKey(api, item.json))).toEqual([
			versionOf(newest),
		]);
		expect(listCalls(lab).length - before).toBeLessThanOrEqual(3);
		expect(active).toEqual(saved);
	});

	it('retries 429 and 5xx within bounds; a throttle longer than it waits fails the poll visibly without losing its place', async () => {
		const lab = await createLab();
		const now = Date.now();
		const emulatorApi = api === 'graph' ? 'graph' : 'xdr';
		const trig = feed(lab, api, backfill(api, now - 60 * MINUTE));
		trig.create({ lastUpdateTime: at(now - 10 * MINUTE) });
		lab.emulator.injectFault({
			match: { api: emulatorApi, path: 'incidents' },
			times: 1,
			fault: { status: 429 },
		});
		lab.emulator.injectFault({
			match: { api: emulatorApi, path: 'incidents' },
			times: 1,
			fault: { status: 503 },
		});
		expect(await trig.poll()).toHaveLength(1);
		expect(listCalls(lab).map((request) => request.status)).toEqual([429, 503, 200]);

		trig.create({});
		const saved = snapshot(trig.staticData);
		lab.emulator.injectFault({
			match: { api: emulatorApi, path: 'incidents' },
			times: 1,
			fault: { status: 429, headers: { 'retry-after': '600' } },
		});
		await expect(trig.poll()).rejects.toThrow(/quota exhausted: the service asks to wait 600 s/);
		expect(trig.staticData).toEqual(saved);
		expect(await trig.poll()).toHaveLength(1);
		expect(sorted(trig.emitted)).toEqual(sorted(trig.expected));
	});

	it('a poll out of time stops after a complete window; the following polls go on from there', async () => {
		const lab = await createLab();
		// n8n's poll budget, shrunk to 250 ms (the trigger reads for 60% of it).
		const hurried: INodeType = {
			description: trigger.description,
			async poll(this: IPollFunctions) {
				this.getPollBudgetMs = () => 250;
				return await trigger.poll.call(this);
			},
		};
		const trig = feed(lab, api, backfill(api, Date.now() - 60 * MINUTE), hurried);
		createSpread(trig, 160, 50 * MINUTE);
		lab.emulator.injectFault({ match: { path: 'incidents' }, times: 1000, fault: { delayMs: 40 } });
		try {
			const sizes: number[] = [];
			for (let poll = 0; poll < 30; poll++) {
				sizes.push((await trig.poll()).length);
				if (sizes[sizes.length - 1] === 0) break;
			}
			expect(sizes[0]).toBeLessThan(160);
			expect(sizes[sizes.length - 1]).toBe(0);
			expect(sorted(trig.emitted)).toEqual(sorted(trig.expected));
		} finally {
			lab.emulator.clearFaults();
		}
	});
});
