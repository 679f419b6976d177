import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import type { OperationOption } from '../node.type';
import {
	classificationField,
	determinationFields,
	incidentIdLocator,
	optionsCollection,
	optionsOf,
	requestTimeoutOption,
	simplifyField,
	tenantIdOption,
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
import { alreadyApplied, SKIPPED, writeEvenIfUnchangedOption } from '../../helpers/unchanged';

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
	optionsCollection([requestTimeoutOption, tenantIdOption, writeEvenIfUnchangedOption]),
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
	const options = this.getNodeParameter('options', index, {}) as IDataObject;
	// A comment always changes the incident; without one, it is read first to see whether anything would.
	const compare = comment === '' && options.writeEvenIfUnchanged !== true;
	let current: IDataObject | undefined;
	const read = async () => (current ??= await getIncident.call(this, session, id, false));
	if (fields.tags !== undefined) {
		const tags = String(fields.tags)
			.split(',')
			.map((tag) => tag.trim())
			.filter(Boolean);
		const replace = fields.tagsMode === 'replace';
		if (tags.length > 0 || replace) {
			const existing = replace ? [] : incidentTags(session.api, await read());
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

	const simplify = this.getNodeParameter('simplify', index, true) as boolean;
	if (compare && alreadyApplied(await read(), body, INCIDENT_STATUSES)) {
		const unchanged = current as IDataObject;
		return this.helpers.constructExecutionMetaData(
			this.helpers.returnJsonArray({
				...(simplify ? simplifyIncident(session.api, unchanged) : unchanged),
				...SKIPPED,
			}),
			{ itemData: { item: index } },
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
	const output = simplify ? simplifyIncident(session.api, incident) : incident;
	return this.helpers.constructExecutionMetaData(this.helpers.returnJsonArray(output), {
		itemData: { item: index },
	});
}
