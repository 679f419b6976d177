import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import type { OperationOption } from '../node.type';
import { endpointSessionFor, machineActionIdFrom } from '../../helpers/parameters';
import { optionsWithTenant, machineActionIdLocator } from '../../descriptions/common';
import { getMachineAction } from '../../helpers/devices';

export const properties: INodeProperties[] = [machineActionIdLocator, optionsWithTenant];

export const option: OperationOption = {
	name: 'Get',
	description: 'Get a response action and its status',
	action: 'Get a machine action',
	toolDescription: 'Get a machine action by its ID: type, status, device and requester',
};

export async function execute(
	this: IExecuteFunctions,
	index: number,
): Promise<INodeExecutionData[]> {
	const action = await getMachineAction.call(
		this,
		endpointSessionFor(this, index),
		machineActionIdFrom(this, index),
	);
	return this.helpers.constructExecutionMetaData(this.helpers.returnJsonArray(action), {
		itemData: { item: index },
	});
}
