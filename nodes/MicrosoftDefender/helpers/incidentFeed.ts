import type { IDataObject } from 'n8n-workflow';

import { incidentField, incidentId } from './incidents';
import { incidentListRequest } from '../actions/incident/getAll.operation';
import type { ApiName } from '../transport/cloud';
import { listPages, PAGE_SIZE } from '../transport/paging';
import { defenderApiRequest, resolveIdentity, type ApiSession, type DefenderContext } from '../transport/request';

export type FeedEvent = 'incidentCreated' | 'incidentUpdated';

/** What the trigger keeps in the workflow's static data between polls (and restarts). */
export interface FeedState {
	version: 1;
	/** Event, API, tenant and Back-Fill From the state belongs to; another configuration starts afresh. */
	configuration: string;
	/** Watermark (ms): every change at or before it, minus the overlap, has been handed to n8n. */
	since: number;
	/** Changes already emitted whose time is inside the overlap window: key → time (ms). */
	seen: Record<string, number>;
}

/** How the feed reads; the trigger's options. */
export interface FeedOptions {
	event: FeedEvent;
	includeAlerts: boolean;
	/** How far before the watermark each poll reads again (late-indexed incidents, clock skew). */
	overlapMs: number;
	/** Back-Fill From: nothing earlier is read, overlap or not. */
	notBefore?: number;
	/** Reading time after which the poll stops at the next complete window. */
	budgetMs: number;
}

export interface FeedChange {
	key: string;
	time: number;
	incident: IDataObject;
}

export interface FeedPollResult {
	changes: FeedChange[];
	state: FeedState;
}

interface Window {
	from: number;
	/** Exclusive end; undefined = open-ended (the newest window, which also catches changes made while polling). */
	to?: number;
}

function timeField(api: ApiName, event: FeedEvent): string {
	return incidentField(api, event === 'incidentCreated' ? 'createdAt' : 'updatedAt');
}

function windowFilter(property: string, window: Window): string {
	const from = `${property} ge ${new Date(window.from).toISOString()}`;
	return window.to === undefined ? from : `${from} and ${property} lt ${new Date(window.to).toISOString()}`;
}

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.floor(sorted.length / 2)];
}

const timeOf = (incident: IDataObject, property: string) => Date.parse(String(incident[property] ?? ''));

/**
 * Reads every incident whose event time is at or after `from` as a set of consistent snapshots.
 * `$skip` paging over a list that changes while it is read can skip a record (another one moves, the
 * rest shift up a page); a single page cannot. So a time window whose first page is full is split in
 * two at the median time of that page until each window fits in one page. Complete windows are
 * yielded oldest first (the feed: a record that changes meanwhile moves to a later time, into the
 * open-ended newest window, read last, or into the next poll) or newest first (a sample).
 */
async function* windowSnapshots(
	this: DefenderContext,
	session: ApiSession,
	property: string,
	from: number,
	includeAlerts: boolean,
	order: 'oldestFirst' | 'newestFirst',
): AsyncGenerator<{ window: Window; records: IDataObject[] }> {
	const resolved = await resolveIdentity(this, session);
	const pageSize = session.api === 'graph' && includeAlerts ? 20 : PAGE_SIZE[session.api];
	const pending: Window[] = [{ from }];
	while (pending.length > 0) {
		const window = pending.pop() as Window;
		const request = incidentListRequest(session.api, windowFilter(property, window), includeAlerts);
		const page = await defenderApiRequest.call(this, session, { ...request, qs: { ...request.qs, $top: pageSize } }, resolved);
		const values = Array.isArray(page.value) ? (page.value as IDataObject[]) : [];
		if (values.length < pageSize && typeof page['@odata.nextLink'] !== 'string') {
			yield { window, records: values };
		} else if (window.to !== undefined && window.to - window.from <= 1) {
			// A page-full of incidents within one millisecond: page through this closed window instead.
			const records: IDataObject[] = [];
			for await (const more of listPages.call(this, session, request, { pageSize })) records.push(...more);
			yield { window, records };
		} else {
			const times = values.map((incident) => timeOf(incident, property)).filter((time) => !Number.isNaN(time));
			const upper = window.to ?? Number.POSITIVE_INFINITY;
			const middle = Math.min(Math.max(times.length > 0 ? median(times) : window.from + 1, window.from + 1), upper - 1);
			const earlier: Window = { from: window.from, to: middle };
			const later: Window = { from: middle, to: window.to };
			// The stack pops from the end: the half to read first goes last.
			pending.push(...(order === 'oldestFirst' ? [later, earlier] : [earlier, later]));
		}
	}
}

/**
 * One poll: the changes since the watermark (minus the overlap) that were not emitted yet, and the
 * state to store once they are handed to n8n. When the time budget runs out, the rest is left to the
 * next poll and the watermark stops at the last complete window.
 */
export async function pollIncidentFeed(this: DefenderContext, session: ApiSession, previous: FeedState, options: FeedOptions): Promise<FeedPollResult> {
	const started = Date.now();
	const { event, overlapMs } = options;
	const property = timeField(session.api, event);
	const from = Math.max(previous.since - overlapMs, options.notBefore ?? Number.NEGATIVE_INFINITY);

	const records: IDataObject[] = [];
	let cutAt: number | undefined;
	for await (const { window, records: snapshot } of windowSnapshots.call(this, session, property, from, options.includeAlerts, 'oldestFirst')) {
		records.push(...snapshot);
		// Stop only past the watermark: re-reading a busy overlap window must not stop every poll at the same place.
		if (window.to !== undefined && window.to > previous.since && Date.now() - started > options.budgetMs) {
			cutAt = window.to;
			break;
		}
	}

	const state: FeedState = { ...previous, seen: { ...previous.seen } };
	const changes: FeedChange[] = [];
	const keysThisPoll = new Set<string>();
	let newest = previous.since;
	for (const incident of records) {
		const time = timeOf(incident, property);
		if (Number.isNaN(time)) continue;
		newest = Math.max(newest, time);
		const id = incidentId(session.api, incident);
		const key = event === 'incidentCreated' ? id : `${id}@${String(incident[property])}`;
		if (key in state.seen || keysThisPoll.has(key)) continue;
		keysThisPoll.add(key);
		changes.push({ key, time, incident });
	}
	changes.sort((a, b) => a.time - b.time || a.key.localeCompare(b.key));
	for (const change of changes) state.seen[change.key] = change.time;
	// Complete: everything up to the newest change is known. Cut short: everything before the cut.
	state.since = cutAt ?? newest;
	for (const [key, time] of Object.entries(state.seen)) {
		if (time < state.since - overlapMs) delete state.seen[key];
	}
	return { changes, state };
}

/**
 * Fetch Test Event: the most recent incident at or after `from` that `matches`. Windows are read newest
 * first, so the first one holding a match holds the answer; undefined when none turns up in time.
 */
export async function latestIncident(
	this: DefenderContext,
	session: ApiSession,
	options: Pick<FeedOptions, 'event' | 'includeAlerts' | 'budgetMs'> & { from: number; matches: (incident: IDataObject) => boolean },
): Promise<IDataObject | undefined> {
	const started = Date.now();
	const property = timeField(session.api, options.event);
	const newestFirst = (a: IDataObject, b: IDataObject) =>
		timeOf(b, property) - timeOf(a, property) || String(b[property]).localeCompare(String(a[property]));
	for await (const { records } of windowSnapshots.call(this, session, property, options.from, options.includeAlerts, 'newestFirst')) {
		const found = records.filter((incident) => !Number.isNaN(timeOf(incident, property)) && options.matches(incident)).sort(newestFirst)[0];
		if (found) return found;
		if (Date.now() - started > options.budgetMs) return undefined;
	}
	return undefined;
}
