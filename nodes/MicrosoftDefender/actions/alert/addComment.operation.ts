import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { OperationOption } from '../node.type';
import { alertIdLocator, optionsWithTenant, commentField } from '../../descriptions/common';
import { commentOnAlert } from '../../helpers/alerts';
import { alertIdFrom, alertSessionFor } from '../../helpers/parameters';

export const option: OperationOption = {
	name: 'Add Comment',
	description: 'Add a comment to an alert. Changes state.',
	action: 'Add a comment to an alert',
	toolDescription: 'Add a comment to an alert (changes state)',
};

export const properties: INodeProperties[] = [
	alertIdLocator,
	commentField('alert'),
	optionsWithTenant,
];

export async function execute(
	this: IExecuteFunctions,
	index: number,
): Promise<INodeExecutionData[]> {
	const id = alertIdFrom(this, index);
	const comment = String(this.getNodeParameter('comment', index, '')).trim();
	if (comment === '')
		throw new NodeOperationError(
			this.getNode(),
			'Comment is empty. Enter the text to add to the alert.',
			{ itemIndex: index },
		);
	const comments = await commentOnAlert.call(this, alertSessionFor(this, index), id, comment);
	return this.helpers.constructExecutionMetaData(
		this.helpers.returnJsonArray({ alertId: id, comment, comments }),
		{ itemData: { item: index } },
	);
}
