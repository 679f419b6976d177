import { createHash } from 'node:crypto';

import type { IDataObject } from 'n8n-workflow';

import { alertApi, alertPath, alertTimeField, evidenceQuery } from '../helpers/alerts';
import { incidentField, incidentId } from '../helpers/incidents';
import { incidentListRequest, incidentPageSize } from '../helpers/incidentRequests';
import type { Sighting } from './loopGuard';
import type { ApiName } from '../transport/cloud';
import { listPages, PAGE_SIZE } from '../transport/paging';
import {
	defenderApiRequest,
	resolveIdentity,
	type ApiRequest,
	type ApiSession,
	type DefenderContext,
} from '../transport/request';

export type FeedEvent =
	| 'incidentCreated'
	| 'incidentUpdated'
	| 'alertCreated'
	| 'alertUpdated'
	| 'commentCreated'
	| 'alertCommentCreated';

/** Events about an alert (the others are about an incident). */
export const ALERT_FEED_EVENTS: readonly FeedEvent[] = [
	'alertCreated',
	'alertUpdated',
	'alertCommentCreated',
];
/** Events that emit one item per comment, read from the records whose last update moved. */
export const COMMENT_FEED_EVENTS: readonly FeedEvent[] = ['commentCreated', 'alertCommentCreated'];

/** What a feed reads: a list that can be filtered on a time property, and how to identify a record. */
export interface FeedSource {
	/** The API that serves the list (alerts of the Defender XDR choice come from Defender for Endpoint). */
	api: ApiName;
	/** The time each event is about: creation (one item per record) or last update (one per change). */
	property: string;
	oncePerRecord: boolean;
	pageSize: number;
	request(filter: string): ApiRequest;
	idOf(record: IDataObject): string;
	/** Comment events: one event per comment of the record instead of one per record or change. */
	perComment: boolean;
}

/**
 * `includeAlerts`: incidents come with their alerts. `alertEvidence`: alerts come with their evidence,
 * which Graph always lists and Defender for Endpoint only when asked (`$expand`).
 */
export function feedSource(
	api: ApiName,
	event: FeedEvent,
	includeAlerts: boolean,
	alertEvidence = false,
): FeedSource {
	const created = event === 'incidentCreated' || event === 'alertCreated';
	const perComment = COMMENT_FEED_EVENTS.includes(event);
	if (ALERT_FEED_EVENTS.includes(event)) {
		const served = alertApi(api);
		return {
			api: served,
			property: alertTimeField(served, created ? 'createdAt' : 'updatedAt'),
			oncePerRecord: created,
			pageSize: PAGE_SIZE[served],
			request: (filter) => ({
				method: 'GET',
				path: alertPath(served),
				qs: { $filter: filter, ...evidenceQuery({ api: served }, alertEvidence) },
				quota: 'endpoint',
				permission: served === 'graph' ? 'SecurityAlert.Read.All' : 'Alert.Read.All',
			}),
			idOf: (record) => String(record.id ?? ''),
			perComment,
		};
	}
	return {
		api,
		property: incidentField(api, created ? 'createdAt' : 'updatedAt'),
		oncePerRecord: created,
		pageSize: incidentPageSize(api, includeAlerts),
		request: (filter) => incidentListRequest(api, filter, includeAlerts),
		idOf: (record) => incidentId(api, record),
		perComment,
	};
}

/** A comment as both APIs list it: Graph's alertComment or the Defender XDR / Endpoint comment. */
export interface RecordComment {
	text: string;
	author: string;
	/** As the API wrote it. */
	createdAt: string;
	time: number;
}

/** The comments of an incident or alert of either API, oldest first as the APIs append them. */
export function commentsOf(record: IDataObject): RecordComment[] {
	const comments = Array.isArray(record.comments) ? (record.comments as IDataObject[]) : [];
	return comments.map((comment) => {
		const createdAt = String(comment.createdDateTime ?? comment.createdTime ?? '');
		return {
			text: String(comment.comment ?? ''),
			author: String(comment.createdByDisplayName ?? comment.createdBy ?? ''),
			createdAt,
			time: Date.parse(createdAt),
		};
	});
}

/**
 * A comment's key: record, time, a digest of author and text, and how many identical comments came
 * before it (two people can write the same words in the same tick). Comments are only appended, so
 * the count is stable from one poll to the next.
 */
function commentKeys(id: string, comments: RecordComment[]): string[] {
	const counts = new Map<string, number>();
	return comments.map((comment) => {
		const digest = createHash('sha256')
			.update(`${comment.author}\n${comment.text}`)
			.digest('hex')
			.slice(0, 16);
		const base = `${id}#${comment.createdAt}#${digest}`;
		const count = counts.get(base) ?? 0;
		counts.set(base, count + 1);
		return `${base}#${count}`;
	});
}

/** What the trigger keeps in the workflow's static data between polls (and restarts). */
export interface FeedState {
	version: 1;
	/** Event, API and tenant the state belongs to; another configuration starts afresh. */
	configuration: string;
	/** Watermark (ms): every change at or before it, minus the overlap, has been handed to n8n. */
	since: number;
	/** Changes already emitted whose time is inside the overlap window: key → time (ms). */
	seen: Record<string, number>;
	/** Loop guard (Ignore Changes by This App): how each record looked when last read, by ID. */
	sightings?: Record<string, Sighting>;
}

/** How the feed reads; the trigger's options. */
export interface FeedOptions {
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
	record: IDataObject;
	/** Comment events: the comment this change is. */
	comment?: RecordComment;
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

function windowFilter(property: string, window: Window): string {
	const from = `${property} ge ${new Date(window.from).toISOString()}`;
	return window.to === undefined
		? from
		: `${from} and ${property} lt ${new Date(window.to).toISOString()}`;
}

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.floor(sorted.length / 2)];
}

const timeOf = (record: IDataObject, property: string) =>
	Date.parse(String(record[property] ?? ''));

/**
 * Reads every record whose event time is at or after `from` as a set of consistent snapshots.
 * `$skip` paging over a list that changes while it is read can skip a record (another one moves, the
 * rest shift up a page); a single page cannot. So a time window whose first page is full is split in
 * two at the median time of that page until each window fits in one page. Complete windows are
 * yielded oldest first (the feed: a record that changes meanwhile moves to a later time, into the
 * open-ended newest window, read last, or into the next poll) or newest first (a sample).
 */
async function* windowSnapshots(
	this: DefenderContext,
	session: ApiSession,
	source: FeedSource,
	from: number,
	order: 'oldestFirst' | 'newestFirst',
): AsyncGenerator<{ window: Window; records: IDataObject[] }> {
	const resolved = await resolveIdentity(this, session);
	const { property, pageSize } = source;
	const pending: Window[] = [{ from }];
	while (pending.length > 0) {
		const window = pending.pop() as Window;
		const request = source.request(windowFilter(property, window));
		const page = await defenderApiRequest.call(
			this,
			session,
			{ ...request, qs: { ...request.qs, $top: pageSize } },
			resolved,
		);
		const values = Array.isArray(page.value) ? (page.value as IDataObject[]) : [];
		if (values.length < pageSize && typeof page['@odata.nextLink'] !== 'string') {
			yield { window, records: values };
		} else if (window.to !== undefined && window.to - window.from <= 1) {
			// A page-full of records within one millisecond: page through this closed window instead.
			const records: IDataObject[] = [];
			for await (const more of listPages.call(this, session, request, { pageSize }))
				records.push(...more);
			yield { window, records };
		} else {
			const times = values
				.map((record) => timeOf(record, property))
				.filter((time) => !Number.isNaN(time));
			const upper = window.to ?? Number.POSITIVE_INFINITY;
			const middle = Math.min(
				Math.max(times.length > 0 ? median(times) : window.from + 1, window.from + 1),
				upper - 1,
			);
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
export async function pollFeed(
	this: DefenderContext,
	session: ApiSession,
	source: FeedSource,
	previous: FeedState,
	options: FeedOptions,
): Promise<FeedPollResult> {
	const started = Date.now();
	const { overlapMs } = options;
	const { property } = source;
	const from = Math.max(previous.since - overlapMs, options.notBefore ?? Number.NEGATIVE_INFINITY);

	const records: IDataObject[] = [];
	let cutAt: number | undefined;
	for await (const { window, records: snapshot } of windowSnapshots.call(
		this,
		session,
		source,
		from,
		'oldestFirst',
	)) {
		records.push(...snapshot);
		// Stop only past the watermark: re-reading a busy overlap window must not stop every poll at the same place.
		if (
			window.to !== undefined &&
			window.to > previous.since &&
			Date.now() - started > options.budgetMs
		) {
			cutAt = window.to;
			break;
		}
	}

	const state: FeedState = { ...previous, seen: { ...previous.seen } };
	const changes: FeedChange[] = [];
	const keysThisPoll = new Set<string>();
	let newest = previous.since;
	const consider = (change: FeedChange) => {
		if (change.key in state.seen || keysThisPoll.has(change.key)) return;
		keysThisPoll.add(change.key);
		changes.push(change);
	};
	for (const record of records) {
		const time = timeOf(record, property);
		if (Number.isNaN(time)) continue;
		newest = Math.max(newest, time);
		const id = source.idOf(record);
		if (!source.perComment) {
			consider({
				key: source.oncePerRecord ? id : `${id}@${String(record[property])}`,
				time,
				record,
			});
			continue;
		}
		// A comment moves its record's last update: the record is read again, with all its comments. Those
		// older than the window were handed over before (or predate the trigger), like any older change.
		const comments = commentsOf(record);
		const keys = commentKeys(id, comments);
		comments.forEach((comment, index) => {
			const commentTime = Number.isNaN(comment.time) ? time : comment.time;
			if (commentTime < from) return;
			consider({ key: keys[index], time: commentTime, record, comment });
		});
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
 * Fetch Test Event: the most recent record at or after `from` that `matches`. Windows are read newest
 * first, so the first one holding a match holds the answer; undefined when none turns up in time.
 */
export async function latestRecord(
	this: DefenderContext,
	session: ApiSession,
	source: FeedSource,
	options: { from: number; budgetMs: number; matches: (record: IDataObject) => boolean },
): Promise<IDataObject | undefined> {
	const started = Date.now();
	const { property } = source;
	const newestFirst = (a: IDataObject, b: IDataObject) =>
		timeOf(b, property) - timeOf(a, property) ||
		String(b[property]).localeCompare(String(a[property]));
	for await (const { records } of windowSnapshots.call(
		this,
		session,
		source,
		options.from,
		'newestFirst',
	)) {
		const found = records
			.filter((record) => !Number.isNaN(timeOf(record, property)) && options.matches(record))
			.sort(newestFirst)[0];
		if (found) return found;
		if (Date.now() - started > options.budgetMs) return undefined;
	}
	return undefined;
}
