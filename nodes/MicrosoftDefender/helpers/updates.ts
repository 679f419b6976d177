import type { IDataObject, INode } from 'n8n-workflow';
import type { NodeApiError } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { toGraphValue } from './incidents';
import { quoted } from './validate';
import { apiErrorWithMessage } from '../transport/errors';

export interface Choice {
	key: string;
	label: string;
	allowed: readonly string[];
}

/**
 * The PATCH body of an incident or alert update: dropdown values checked against their list (they can
 * come from expressions), spelled for the chosen API, and the assignee. Refuses an empty update.
 */
export function updateBody(node: INode, fields: IDataObject, choices: Choice[], graph: boolean, itemIndex: number): { body: IDataObject; comment: string } {
	const body: IDataObject = {};
	for (const { key, label, allowed } of choices) {
		const value = fields[key];
		if (value === undefined || value === '') continue;
		if (typeof value !== 'string' || !allowed.includes(value)) {
			throw new NodeOperationError(node, `${label} ${quoted(value)} is not valid. Use one of: ${allowed.join(', ')}.`, { itemIndex });
		}
		body[key] = graph ? toGraphValue(value) : value;
	}
	if (typeof fields.assignedTo === 'string' && fields.assignedTo.trim() !== '') body.assignedTo = fields.assignedTo.trim();
	const comment = typeof fields.comment === 'string' ? fields.comment.trim() : '';
	return { body, comment };
}

export function nothingToUpdate(node: INode, what: string, itemIndex: number): NodeOperationError {
	return new NodeOperationError(node, `Nothing to update. Add at least one field under Update Fields (${what}).`, { itemIndex });
}

/** Graph takes a comment in a second request: when only that one fails, say the fields were changed. */
export function commentAfterUpdateFailed(node: INode, record: string, changed: string[], error: unknown, itemIndex: number): NodeApiError {
	const reason = error instanceof Error ? error.message : String(error);
	return apiErrorWithMessage(node, `${record} was updated (${changed.join(', ')}), but adding the comment failed: ${reason}`, {
		description: 'Add the comment again (the other fields need no retry).',
		itemIndex,
	});
}
