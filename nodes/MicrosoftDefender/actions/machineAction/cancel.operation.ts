import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { OperationOption } from '../node.type';
import { endpointSessionFor, machineActionIdFrom } from '../../helpers/parameters';
import { optionsWithTenant, machineActionIdLocator } from '../../descriptions/common';
import { CANCEL_ACTION_PERMISSIONS } from '../../transport/permissions';
import { defenderApiRequest } from '../../transport/request';

export const properties: INodeProperties[] = [
	machineActionIdLocator,
	{
		displayName: 'Comment',
		name: 'comment',
		type: 'string',
		default:
			'={{ "Cancelled by n8n workflow \\"" + $workflow.name + "\\", execution " + $execution.id }}',
		required: true,
		description: 'Reason recorded with the cancellation (required)',
	},
	optionsWithTenant,
];

export const option: OperationOption = {
	name: 'Cancel',
	description: 'Cancel a pending response action. Changes state.',
	action: 'Cancel a machine action',
	toolDescription: 'Cancel a pending machine action (changes state)',
};

export async function execute(
	this: IExecuteFunctions,
	index: number,
): Promise<INodeExecutionData[]> {
	const id = machineActionIdFrom(this, index);
	const comment = String(this.getNodeParameter('comment', index, '')).trim();
	if (comment === '')
		throw new NodeOperationError(
			this.getNode(),
			'Comment is empty. Defender requires a reason to cancel an action.',
			{ itemIndex: index },
		);
	const action = await defenderApiRequest.call(this, endpointSessionFor(this, index), {
		method: 'POST',
		path: `/api/machineactions/${id}/cancel`,
		body: { Comment: comment },
		quota: 'endpoint',
		permission: `${CANCEL_ACTION_PERMISSIONS.join(' or ')} (the one of the action being cancelled)`,
		notFoundMessage: `Machine action ${id} not found.`,
	});
	return this.helpers.constructExecutionMetaData(this.helpers.returnJsonArray(action), {
		itemData: { item: index },
	});
}
