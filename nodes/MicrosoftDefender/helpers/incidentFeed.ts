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
	/** Event, API and tenant the state belongs to; another configuration starts afresh. */
	configuration: string;
	/** Watermark (ms): every change at or before it, minus the overlap, has been handed to n8n. */
	since: number;
	/** Changes already emitted whose time is inside the overlap window: key → time (ms). */
	seen: Record<string, number>;
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

/**
 * Reads every incident whose event time lies in [since − overlap, now] as a set of consistent
 * snapshots. `$skip` paging over a list that changes while it is read can skip a record (another one
 * moves, the rest shift up a page); a single page cannot. So a time window whose first page is full is
 * split in two at the median time of that page until each window fits in one page. A record that
 * changes meanwhile moves to a later time, into the open-ended newest window or the next poll.
 * Windows are read oldest first; when the poll's time budget runs low the rest is left to the next poll
 * and the watermark stops at the last complete window.
 */
export async function pollIncidentFeed(
	this: DefenderContext,
	session: ApiSession,
	event: FeedEvent,
	previous: FeedState,
	overlapMs: number,
	budgetMs: number,
	includeAlerts: boolean,
): Promise<FeedPollResult> {
	const started = Date.now();
	const resolved = await resolveIdentity(this, session);
	const property = timeField(session.api, event);
	const pageSize = session.api === 'graph' && includeAlerts ? 20 : PAGE_SIZE[session.api];
	const baseRequest = (window: Window) => incidentListRequest(session.api, windowFilter(property, window), includeAlerts);
	const timeOf = (incident: IDataObject) => Date.parse(String(incident[property] ?? ''));

	const records: IDataObject[] = [];
	const pending: Window[] = [{ from: previous.since - overlapMs }];
	let completeUpTo: number | undefined = previous.since;
	let finished = true;
	while (pending.length > 0) {
		if (records.length > 0 && Date.now() - started > budgetMs) {
			finished = false;
			break;
		}
		const window = pending.pop() as Window;
		const request = baseRequest(window);
		const page = await defenderApiRequest.call(this, session, { ...request, qs: { ...request.qs, $top: pageSize } }, resolved);
		const values = Array.isArray(page.value) ? (page.value as IDataObject[]) : [];
		const full = values.length >= pageSize || typeof page['@odata.nextLink'] === 'string';
		if (!full) {
			records.push(...values);
		} else if (window.to !== undefined && window.to - window.from <= 1) {
			// A page-full of incidents within one millisecond: page through this closed window instead.
			for await (const more of listPages.call(this, session, request, {})) records.push(...more);
		} else {
			const times = values.map(timeOf).filter((time) => !Number.isNaN(time));
			const upper = window.to ?? Number.POSITIVE_INFINITY;
			const middle = Math.min(Math.max(times.length > 0 ? median(times) : window.from + 1, window.from + 1), upper - 1);
			// The earlier half is read first (the stack pops from the end).
			pending.push({ from: middle, to: window.to }, { from: window.from, to: middle });
			continue;
		}
		completeUpTo = window.to;
	}

	const state: FeedState = { ...previous, seen: { ...previous.seen } };
	const changes: FeedChange[] = [];
	const keysThisPoll = new Set<string>();
	let newest = previous.since;
	for (const incident of records) {
		const time = timeOf(incident);
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
	// Complete: everything up to the newest change is known. Cut short: only up to the last whole window.
	state.since = finished ? newest : Math.max(previous.since, completeUpTo ?? previous.since);
	for (const [key, time] of Object.entries(state.seen)) {
		if (time < state.since - overlapMs) delete state.seen[key];
	}
	return { changes, state };
}
