import { createHash } from 'node:crypto';

import type { IDataObject } from 'n8n-workflow';

import { commentsOf } from './feed';

/**
 * Who wrote a comment or made a change, as Defender names an app: `API-App:<name>` (a Graph response
 * recorded from a tenant in 2024 shows the app's display name after the prefix, and once the bare name;
 * Microsoft's pages only say "the person or app name", security-alertcomment.md). The emulator writes
 * `API-App:<client ID>`. So this app is its client ID or any name the user gives, with or without the prefix.
 */
export function ownAuthorMatcher(clientId: string, names: string): (author: string) => boolean {
	const identities = new Set(
		[clientId, ...names.split(',')]
			.map((name) => name.trim().toLowerCase())
			.filter((name) => name !== ''),
	);
	return (author) => {
		const normalized = author.trim().toLowerCase();
		const bare = normalized.startsWith('api-app:')
			? normalized.slice('api-app:'.length).trim()
			: normalized;
		return identities.has(bare);
	};
}

/** What the trigger remembers of a record it saw last, to tell whether only this app changed it since. */
export interface Sighting {
	/** The record's last update (ms): the newest sighting wins. */
	time: number;
	/** Digest of every field but the update time, the last modifier and the comments. */
	fields: string;
	comments: number;
}

/** Fields that move with any change, whoever made it: they say nothing about what changed. */
const VOLATILE = new Set(['comments', 'lastModifiedBy', '@odata.etag', '@odata.context']);

function stable(value: unknown): unknown {
	if (Array.isArray(value)) return value.map(stable);
	if (value !== null && typeof value === 'object') {
		const object = value as IDataObject;
		return Object.fromEntries(
			Object.keys(object)
				.sort()
				.map((key) => [key, stable(object[key])]),
		);
	}
	return value;
}

export function sightingOf(record: IDataObject, timeProperty: string, time: number): Sighting {
	const fields = Object.fromEntries(
		Object.entries(record).filter(([key]) => !VOLATILE.has(key) && key !== timeProperty),
	);
	return {
		time,
		fields: createHash('sha256')
			.update(JSON.stringify(stable(fields)))
			.digest('hex')
			.slice(0, 24),
		comments: commentsOf(record).length,
	};
}

/**
 * Whether a change of a record was surely this app's alone. Defender names at most the last modifier
 * (Graph's `lastModifiedBy`; the Defender XDR and Endpoint APIs name nobody), so a person's change
 * followed by the app's within one poll interval cannot be told apart from the app's alone. Only what
 * can be proven is dropped: the record was seen before, none of its fields differ from then, and every
 * comment added since was written by this app. Anything else — a field changed (by whomever), a comment
 * by anyone else, a record never seen — is emitted.
 */
export function onlyOwnChange(
	before: Sighting | undefined,
	now: Sighting,
	record: IDataObject,
	isOwn: (author: string) => boolean,
): boolean {
	if (!before || before.fields !== now.fields || now.comments <= before.comments) return false;
	return commentsOf(record)
		.slice(before.comments)
		.every((comment) => isOwn(comment.author));
}

/** Sightings kept between polls; the least recently changed records are forgotten first. */
export const MAX_SIGHTINGS = 2000;

export function keepNewest(sightings: Record<string, Sighting>): Record<string, Sighting> {
	const entries = Object.entries(sightings);
	if (entries.length <= MAX_SIGHTINGS) return sightings;
	return Object.fromEntries(
		entries.sort(([, a], [, b]) => b.time - a.time).slice(0, MAX_SIGHTINGS),
	);
}
