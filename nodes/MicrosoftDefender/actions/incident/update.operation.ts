import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import type { OperationOption } from '../node.type';
import {
	classificationField,
	determinationFields,
	incidentIdLocator,
	optionsOf,
	optionsWithTenant,
	simplifyField,
} from '../../descriptions/common';
import { incidentIdFrom, sessionFor } from '../../helpers/parameters';
import { commentOnIncident, getIncident, patchIncident } from '../../helpers/incidentRequests';
import {
	INCIDENT_STATUSES,
	incidentId,
	incidentTags,
	simplifyIncident,
} from '../../helpers/incidents';
import { nothingToUpdate, patchThenComment, updateFrom } from '../../helpers/updates';

export const properties: INodeProperties[] = [
	incidentIdLocator,
	simplifyField,
	{
		displayName: 'Update Fields',
		name: 'updateFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		options: [
			{
				displayName: 'Assigned To',
				name: 'assignedTo',
				type: 'string',
				default: '',
				placeholder: 'e.g. analyst@contoso.com',
				description: 'User (UPN) the incident is assigned to',
			},
			classificationField,
			{
				displayName: 'Comment',
				name: 'comment',
				type: 'string',
				typeOptions: { rows: 3 },
				default: '',
				description: 'Comment added with the update',
			},
			...determinationFields,
			{
				displayName: 'Status',
				name: 'status',
				type: 'options',
				options: optionsOf(INCIDENT_STATUSES),
				default: 'InProgress',
			},
			{
				displayName: 'Tags',
				name: 'tags',
				type: 'string',
				default: '',
				placeholder: 'e.g. triaged, n8n',
				description: 'Comma-separated tags; see Tags Mode',
			},
			{
				displayName: 'Tags Mode',
				name: 'tagsMode',
				type: 'options',
				options: [
					{
						name: 'Add to Existing Tags',
						value: 'add',
						description: "Keep the incident's tags and add these",
					},
					{
						name: 'Replace All Tags',
						value: 'replace',
						description: 'The incident ends up with exactly these tags',
					},
				],
				default: 'add',
			},
		],
	},
	optionsWithTenant,
];

export const option: OperationOption = {
	name: 'Update',
	description: 'Change status, assignment, classification, tags; add a comment. Changes state.',
	action: 'Update an incident',
	toolDescription:
		'Update an incident (changes state): status, assignee, classification, determination, tags',
};

export async function execute(
	this: IExecuteFunctions,
	index: number,
): Promise<INodeExecutionData[]> {
	const session = sessionFor(this, index);
	const graph = session.api === 'graph';
	const id = incidentIdFrom(this, index);
	const { fields, body, comment } = updateFrom(this, index, INCIDENT_STATUSES, session.api);
	if (fields.tags !== undefined) {
		const tags = String(fields.tags)
			.split(',')
			.map((tag) => tag.trim())
			.filter(Boolean);
		const replace = fields.tagsMode === 'replace';
		if (tags.length > 0 || replace) {
			const existing = replace
				? []
				: incidentTags(session.api, await getIncident.call(this, session, id, false));
			const merged = [...existing];
			for (const tag of tags)
				if (!merged.some((known) => known.toLowerCase() === tag.toLowerCase())) merged.push(tag);
			body[graph ? 'customTags' : 'tags'] = merged;
		}
	}
	if (Object.keys(body).length === 0 && comment === '') {
		throw nothingToUpdate(
			this.getNode(),
			'status, assigned to, classification, determination, tags or comment',
			index,
		);
	}

	let incident = await patchThenComment(this, {
		graph,
		record: `Incident ${id}`,
		body,
		comment,
		itemIndex: index,
		patch: async (patchBody) => await patchIncident.call(this, session, id, patchBody),
		addComment: async (text) => await commentOnIncident.call(this, session, id, text),
	});
	if (!incident || incidentId(session.api, incident) === '') {
		incident = await getIncident.call(this, session, id, false);
	}
	const output = this.getNodeParameter('simplify', index, true)
		? simplifyIncident(session.api, incident)
		: incident;
	return this.helpers.constructExecutionMetaData(this.helpers.returnJsonArray(output), {
		itemData: { item: index },
	});
}
