import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import type { OperationOption } from '../node.type';
import { endpointSessionFor, machineIdFrom } from '../../helpers/parameters';
import { machineIdLocator, optionsWithTenant } from '../../descriptions/common';
import { resolveMachine } from '../../helpers/devices';
import { defenderApiRequest } from '../../transport/request';

export const properties: INodeProperties[] = [machineIdLocator, optionsWithTenant];

export const option: OperationOption = {
	name: 'Get',
	description: 'Get a device by ID or DNS name',
	action: 'Get a device',
	toolDescription:
		'Get a device by its ID or DNS name: OS, health, risk score, IP addresses and tags',
};

export async function execute(
	this: IExecuteFunctions,
	index: number,
): Promise<INodeExecutionData[]> {
	const session = endpointSessionFor(this, index);
	const machine = await resolveMachine.call(this, session, machineIdFrom(this, index));
	const record = await defenderApiRequest.call(this, session, {
		method: 'GET',
		path: `/api/machines/${encodeURIComponent(machine.id)}`,
		quota: 'endpoint',
		permission: 'Machine.Read.All',
		notFoundMessage: `Device ${machine.computerDnsName ?? machine.id} not found. Check the device ID and the tenant.`,
	});
	return this.helpers.constructExecutionMetaData(this.helpers.returnJsonArray(record), {
		itemData: { item: index },
	});
}
