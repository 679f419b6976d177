import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import type { OperationOption } from '../node.type';
import { alertIdFrom, alertSessionFor } from '../../helpers/parameters';
import {
	classificationField,
	determinationFields,
	optionsCollection,
	optionsOf,
	requestTimeoutOption,
	tenantIdOption,
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
import { alreadyApplied, SKIPPED, writeEvenIfUnchangedOption } from '../../helpers/unchanged';
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
	optionsCollection([requestTimeoutOption, tenantIdOption, writeEvenIfUnchangedOption]),
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

	const simplify = this.getNodeParameter('simplify', index, true) as boolean;
	const readAlert = async () =>
		await defenderApiRequest.call(this, session, {
			method: 'GET',
			path: alertPath(session.api, id),
			quota: 'endpoint',
			permission: alertPermission(session, false),
			notFoundMessage: alertNotFound(session, id),
		});
	const options = this.getNodeParameter('options', index, {}) as IDataObject;
	// A comment always changes the alert; without one, it is read first to see whether anything would.
	if (comment === '' && options.writeEvenIfUnchanged !== true) {
		const current = await readAlert();
		if (alreadyApplied(current, body, ALERT_STATUSES)) {
			return this.helpers.constructExecutionMetaData(
				this.helpers.returnJsonArray({
					...(simplify ? simplifyAlert(current) : current),
					...SKIPPED,
				}),
				{ itemData: { item: index } },
			);
		}
	}
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
	if (!alert?.id) alert = await readAlert();
	const output = simplify ? simplifyAlert(alert) : alert;
	return this.helpers.constructExecutionMetaData(this.helpers.returnJsonArray(output), {
		itemData: { item: index },
	});
}
