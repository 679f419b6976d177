import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { OperationOption } from '../node.type';
import { DEFAULT_COMMENT } from './responseAction';
import { machineIdLocator, optionsWithTenant } from '../../descriptions/common';
import { endpointSessionFor, machineIdFrom } from '../../helpers/parameters';
import { resolveMachine } from '../../helpers/devices';
import { defenderApiRequest } from '../../transport/request';

export const properties: INodeProperties[] = [
	machineIdLocator,
	{
		displayName: 'Comment',
		name: 'comment',
		type: 'string',
		default: DEFAULT_COMMENT,
		required: true,
		description:
			'Reason recorded with the investigation (required). By default it names this workflow and execution.',
	},
	optionsWithTenant,
];

export const option: OperationOption = {
	name: 'Start Automated Investigation',
	description: 'Start an automated investigation on a device (Alert.ReadWrite.All). Changes state.',
	action: 'Start an automated investigation',
	toolDescription: 'Start an automated investigation on a device (changes state)',
};

/** Starts an automated investigation on the device (Microsoft allows 50 per hour). */
export async function execute(
	this: IExecuteFunctions,
	index: number,
): Promise<INodeExecutionData[]> {
	const session = endpointSessionFor(this, index);
	const comment = String(this.getNodeParameter('comment', index, '')).trim();
	if (comment === '')
		throw new NodeOperationError(
			this.getNode(),
			'Comment is empty. Defender requires a reason for every investigation.',
			{ itemIndex: index },
		);
	const machine = await resolveMachine.call(this, session, machineIdFrom(this, index));
	const investigation = await defenderApiRequest.call(this, session, {
		method: 'POST',
		path: `/api/machines/${machine.id}/startInvestigation`,
		body: { Comment: comment },
		quota: 'startInvestigation',
		permission: 'Alert.ReadWrite.All',
		notFoundMessage: `Device ${machine.computerDnsName ?? machine.id} not found. Check the device ID or name and the tenant.`,
		loadHint: 'Microsoft allows 50 automated investigations per hour per tenant.',
	});
	return this.helpers.constructExecutionMetaData(this.helpers.returnJsonArray(investigation), {
		itemData: { item: index },
	});
}
