import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { OperationOption } from '../node.type';
import { incidentIdFrom, sessionFor } from '../../helpers/parameters';
import { incidentIdLocator, optionsWithTenant, commentField } from '../../descriptions/common';
import { commentOnIncident } from '../../helpers/incidentRequests';

export const properties: INodeProperties[] = [
	incidentIdLocator,
	commentField('incident'),
	optionsWithTenant,
];

export const option: OperationOption = {
	name: 'Add Comment',
	description: 'Add a comment to an incident. Changes state.',
	action: 'Add a comment to an incident',
	toolDescription: 'Add a comment to an incident (changes state)',
};

export async function execute(
	this: IExecuteFunctions,
	index: number,
): Promise<INodeExecutionData[]> {
	const session = sessionFor(this, index);
	const id = incidentIdFrom(this, index);
	const comment = (this.getNodeParameter('comment', index, '') as string).trim();
	if (comment === '') {
		throw new NodeOperationError(
			this.getNode(),
			'Comment is empty. Enter the text to add to the incident.',
			{ itemIndex: index },
		);
	}
	const comments = await commentOnIncident.call(this, session, id, comment);
	return this.helpers.constructExecutionMetaData(
		this.helpers.returnJsonArray({ incidentId: id, comment, comments }),
		{ itemData: { item: index } },
	);
}
