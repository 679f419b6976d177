import type { IDataObject, IExecuteFunctions, INode } from 'n8n-workflow';
import type { NodeApiError } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import {
	CLASSIFICATIONS,
	DETERMINATIONS,
	GRAPH_ONLY_DETERMINATIONS,
	determinationFor,
	toGraphValue,
} from './incidents';
import { quoted } from './validate';
import type { ApiName } from '../transport/cloud';
import { apiErrorWithMessage } from '../transport/errors';
import { toNodeError } from '../transport/request';

/**
 * Update Fields as the PATCH body of an incident or alert update: dropdown values checked against their
 * list (they can come from expressions), spelled for the API that receives them (`api`: Graph, Defender
 * XDR for incidents, Defender for Endpoint for alerts), and the assignee; the comment apart, as Graph
 * takes it in a second request. An empty update is for the caller to refuse (`nothingToUpdate`): an
 * incident also takes tags.
 */
export function updateFrom(
	context: IExecuteFunctions,
	itemIndex: number,
	statuses: readonly string[],
	api: ApiName,
): { fields: IDataObject; body: IDataObject; comment: string } {
	const graph = api === 'graph';
	const fields = context.getNodeParameter('updateFields', itemIndex, {}) as IDataObject;
	const choices: Array<[key: string, label: string, allowed: readonly string[]]> = [
		['status', 'Status', statuses],
		['classification', 'Classification', CLASSIFICATIONS],
		['determination', 'Determination', DETERMINATIONS],
	];
	const body: IDataObject = {};
	for (const [key, label, allowed] of choices) {
		const value = fields[key];
		if (value === undefined || value === '') continue;
		if (typeof value !== 'string' || !allowed.includes(value)) {
			throw new NodeOperationError(
				context.getNode(),
				`${label} ${quoted(value)} is not valid. Use one of: ${allowed.join(', ')}.`,
				{ itemIndex },
			);
		}
		if (key === 'determination') {
			refuseGraphOnly(context, itemIndex, value, api);
			body[key] = determinationFor(api, value);
		} else body[key] = graph ? toGraphValue(value) : value;
	}
	if (typeof fields.assignedTo === 'string' && fields.assignedTo.trim() !== '')
		body.assignedTo = fields.assignedTo.trim();
	const comment = typeof fields.comment === 'string' ? fields.comment.trim() : '';
	return { fields, body, comment };
}

/** What to pick instead of a determination the Defender XDR and Defender for Endpoint APIs no longer take. */
const GRAPH_ONLY_REPLACEMENT: Record<string, string> = {
	Apt: 'Multi-Staged Attack (or Malware, Other)',
	SecurityPersonnel:
		'Security Testing (Informational, Expected Activity) or Malicious User Activity',
};

/**
 * APT and Security Personnel were deprecated on the Defender XDR and Defender for Endpoint APIs around
 * 29 August 2022 (defender-xdr/api-update-incidents.md, defender-endpoint/api/update-alert.md); Graph's
 * alertDetermination still has them. A saved value is refused before anything is sent.
 */
function refuseGraphOnly(
	context: IExecuteFunctions,
	itemIndex: number,
	value: string,
	api: ApiName,
): void {
	if (api === 'graph' || !(GRAPH_ONLY_DETERMINATIONS as readonly string[]).includes(value)) return;
	throw new NodeOperationError(
		context.getNode(),
		`Determination ${quoted(value)} is no longer accepted by the ${api === 'endpoint' ? 'Defender for Endpoint' : 'Defender XDR'} API (deprecated by Microsoft in August 2022).`,
		{
			itemIndex,
			description: `Pick ${GRAPH_ONLY_REPLACEMENT[value]} under Determination, or set API to Microsoft Graph, which still takes it. Nothing was sent.`,
		},
	);
}

export function nothingToUpdate(node: INode, what: string, itemIndex: number): NodeOperationError {
	return new NodeOperationError(
		node,
		`Nothing to update. Add at least one field under Update Fields (${what}).`,
		{ itemIndex },
	);
}

/** Graph takes a comment in a second request: when only that one fails, say the fields were changed. */
function commentAfterUpdateFailed(
	node: INode,
	record: string,
	changed: string[],
	error: unknown,
	itemIndex: number,
): NodeApiError {
	const reason = error instanceof Error ? error.message : String(error);
	return apiErrorWithMessage(
		node,
		`${record} was updated (${changed.join(', ')}), but adding the comment failed: ${reason}`,
		{
			description: 'Add the comment again (the other fields need no retry).',
			itemIndex,
		},
	);
}

/**
 * The writes of an incident or alert update. The Defender XDR and Defender for Endpoint APIs take the
 * comment in the PATCH body: one request. Graph takes it in a second request after the PATCH (when
 * there are fields); if only that one fails, the error says the fields were changed. Returns the
 * PATCH's answer, or undefined when there is none or a Graph comment changed the record after it:
 * then the caller reads the record again.
 */
export async function patchThenComment(
	context: IExecuteFunctions,
	update: {
		graph: boolean;
		record: string;
		body: IDataObject;
		comment: string;
		itemIndex: number;
		patch: (body: IDataObject) => Promise<IDataObject>;
		addComment: (comment: string) => Promise<unknown>;
	},
): Promise<IDataObject | undefined> {
	const { graph, record, body, comment, itemIndex, patch, addComment } = update;
	if (!graph) return await patch(comment ? { ...body, comment } : body);
	const patched = Object.keys(body).length > 0 ? await patch(body) : undefined;
	if (!comment) return patched;
	try {
		await addComment(comment);
	} catch (error) {
		throw patched
			? commentAfterUpdateFailed(context.getNode(), record, Object.keys(body), error, itemIndex)
			: toNodeError(context, error, itemIndex);
	}
	return undefined;
}
