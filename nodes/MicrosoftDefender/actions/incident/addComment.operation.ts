import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { incidentIdFrom, incidentIdLocator, sessionFor, optionsWithTenant } from '../../descriptions/common';
import { commentOnIncident } from '../../helpers/incidentRequests';

const properties: INodeProperties[] = [
	incidentIdLocator,
	{
		displayName: 'Comment',
		name: 'comment',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		required: true,
		placeholder: 'Triaged by n8n: …',
		description: "Text added to the incident's comments",
	},
	optionsWithTenant,
];

export const description = updateDisplayOptions({ show: { resource: ['incident'], operation: ['addComment'] } }, properties);

export async function execute(this: IExecuteFunctions, index: number): Promise<INodeExecutionData[]> {
	const session = sessionFor(this, index);
	const id = incidentIdFrom(this, index);
	const comment = (this.getNodeParameter('comment', index, '') as string).trim();
	if (comment === '') {
		throw new NodeOperationError(this.getNode(), 'Comment is empty. Enter the text to add to the incident.', { itemIndex: index });
	}
	const comments = await commentOnIncident.call(this, session, id, comment);
	return this.helpers.constructExecutionMetaData(this.helpers.returnJsonArray({ incidentId: id, comment, comments }), { itemData: { item: index } });
}
