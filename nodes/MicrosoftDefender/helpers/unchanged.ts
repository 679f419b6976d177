import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { CLASSIFICATIONS, determinationOf, toNodeValue } from './incidents';

export const writeEvenIfUnchangedOption: INodeProperties = {
	displayName: 'Write Even If Unchanged',
	name: 'writeEvenIfUnchanged',
	type: 'boolean',
	default: false,
	description:
		'Whether to send the update even when every field already has the asked-for value. Off: the record is read first and nothing is written (and its last update time does not move) when nothing would change; a comment always counts as a change.',
};

const sameText = (a: unknown, b: unknown) =>
	String(a ?? '')
		.trim()
		.toLowerCase() ===
	String(b ?? '')
		.trim()
		.toLowerCase();

const sameTags = (a: unknown, b: unknown) => {
	const set = (value: unknown) =>
		new Set((Array.isArray(value) ? value : []).map((tag) => String(tag).trim().toLowerCase()));
	const left = set(a);
	const right = set(b);
	return left.size === right.size && [...left].every((tag) => right.has(tag));
};

/**
 * Whether every field of a PATCH body (in the API's own names and spelling) already has that value in
 * the record as read from the same API. Values are compared in the node's spelling (toNodeValue,
 * determinationOf), so Graph's and Defender's words for the same value agree; the assignee and tags ignore case, as the
 * portal does.
 */
export function alreadyApplied(
	record: IDataObject,
	body: IDataObject,
	statuses: readonly string[],
): boolean {
	const vocabularies: Record<string, readonly string[]> = {
		status: statuses,
		classification: CLASSIFICATIONS,
	};
	return Object.entries(body).every(([key, value]) => {
		// Microsoft spells some determinations differently in writes and reads: both as the node's value.
		if (key === 'determination') return determinationOf(record[key]) === determinationOf(value);
		if (key in vocabularies)
			return toNodeValue(record[key], vocabularies[key]) === toNodeValue(value, vocabularies[key]);
		if (key === 'tags' || key === 'customTags') return sameTags(record[key], value);
		if (key === 'assignedTo') return sameText(record[key], value);
		return false;
	});
}

/** What Update outputs, besides the record, when it wrote nothing. */
export const SKIPPED = {
	skipped: true,
	reason:
		'Every field already had the asked-for value: nothing was written (turn on Write Even If Unchanged to write anyway).',
};
