import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import type { OperationOption } from '../node.type';
import { optionsWithTenant } from '../../descriptions/common';
import { devicesByIp } from '../../helpers/devices';
import { endpointSessionFor } from '../../helpers/parameters';

export const properties: INodeProperties[] = [
	{
		displayName: 'IP Address',
		name: 'ip',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. 10.0.0.15',
		description: 'Internal IPv4 or IPv6 address the device had',
	},
	{
		displayName: 'Time',
		name: 'timestamp',
		type: 'dateTime',
		default: '',
		required: true,
		description:
			'When the device had that address (within the last 30 days); devices seen with it 15 minutes before or after are returned',
	},
	optionsWithTenant,
];

export const option: OperationOption = {
	name: 'Find by IP',
	description: 'Devices that had an IP address at a given time (Machine.Read.All)',
	action: 'Find devices by IP',
	toolDescription: 'Find devices by IP: the devices that had an IP address at a given time',
};

export async function execute(
	this: IExecuteFunctions,
	index: number,
): Promise<INodeExecutionData[]> {
	// Time is required here (empty is an error, not "now"): Find by IP asks about a moment in the past.
	const machines = await devicesByIp.call(
		this,
		index,
		endpointSessionFor(this, index),
		this.getNodeParameter('ip', index, ''),
		this.getNodeParameter('timestamp', index, ''),
	);
	return this.helpers.constructExecutionMetaData(this.helpers.returnJsonArray(machines), {
		itemData: { item: index },
	});
}
