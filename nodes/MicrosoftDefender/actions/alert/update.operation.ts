import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import type { OperationOption } from '../node.type';
import { alertIdFrom, alertSessionFor } from '../../helpers/parameters';
import {
	classificationField,
	determinationFields,
	optionsOf,
	optionsWithTenant,
	alertSimplifyField,
	alertIdLocator,
} from '../../descriptions/common';
import {
	ALERT_STATUSES,
	alertNotFound,
	alertPath,
	alertPermission,
	commentOnAlert,
	simplifyAlert,
} from '../../helpers/alerts';
import { nothingToUpdate, patchThenComment, updateFrom } from '../../helpers/updates';
import { defenderApiRequest } from '../../transport/request';

export const properties: INodeProperties[] = [
	alertIdLocator,
	alertSimplifyField,
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
			},
			classificationField,
			{
				displayName: 'Comment',
				name: 'comment',
				type: 'string',
				typeOptions: { rows: 3 },
				default: '',
			},
			...determinationFields,
			{
				displayName: 'Status',
				name: 'status',
				type: 'options',
				options: optionsOf(ALERT_STATUSES),
				default: 'Resolved',
			},
		],
	},
	optionsWithTenant,
];

export const option: OperationOption = {
	name: 'Update',
	description: 'Change status, assignment, classification; add a comment. Changes state.',
	action: 'Update an alert',
	toolDescription:
		'Update an alert (changes state): status, assignee, classification, determination, comment',
};

export async function execute(
	this: IExecuteFunctions,
	index: number,
): Promise<INodeExecutionData[]> {
	const session = alertSessionFor(this, index);
	const graph = session.api === 'graph';
	const id = alertIdFrom(this, index);
	const { body, comment } = updateFrom(this, index, ALERT_STATUSES, session.api);
	if (Object.keys(body).length === 0 && comment === '')
		throw nothingToUpdate(
			this.getNode(),
			'status, assigned to, classification, determination or comment',
			index,
		);

	let alert = await patchThenComment(this, {
		graph,
		record: `Alert ${id}`,
		body,
		comment,
		itemIndex: index,
		patch: async (patchBody) =>
			await defenderApiRequest.call(this, session, {
				method: 'PATCH',
				path: alertPath(session.api, id),
				body: patchBody,
				quota: 'endpoint',
				permission: alertPermission(session, true),
				notFoundMessage: alertNotFound(session, id),
			}),
		addComment: async (text) => await commentOnAlert.call(this, session, id, text),
	});
	if (!alert?.id) {
		alert = await defenderApiRequest.call(this, session, {
			method: 'GET',
			path: alertPath(session.api, id),
			quota: 'endpoint',
			permission: alertPermission(session, false),
		});
	}
	const output = this.getNodeParameter('simplify', index, true) ? simplifyAlert(alert) : alert;
	return this.helpers.constructExecutionMetaData(this.helpers.returnJsonArray(output), {
		itemData: { item: index },
	});
}
