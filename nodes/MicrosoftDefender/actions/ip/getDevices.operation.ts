import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { ipField } from './fields';
import type { OperationOption } from '../node.type';
import { optionsWithTenant } from '../../descriptions/common';
import { devicesByIp } from '../../helpers/devices';
import { endpointSessionFor } from '../../helpers/parameters';

export const option: OperationOption = {
	name: 'Get Devices',
	description: 'Devices that had the IP address now or at a given time (Machine.Read.All)',
	action: 'Get devices of an IP address',
	toolDescription:
		'Get devices of an IP address: the devices that had it within 15 minutes of now or of a given time',
};

export const properties: INodeProperties[] = [
	ipField,
	{
		displayName: 'Time',
		name: 'timestamp',
		type: 'dateTime',
		default: '',
		description:
			'When the devices had the address, within the last 30 days; empty = now. Defender matches 15 minutes before and after.',
	},
	optionsWithTenant,
];

export async function execute(
	this: IExecuteFunctions,
	index: number,
): Promise<INodeExecutionData[]> {
	const timestamp = this.getNodeParameter('timestamp', index, '');
	// Defender answers "devices by IP" only for a moment (Find Devices by IP): empty means now.
	const machines = await devicesByIp.call(
		this,
		index,
		endpointSessionFor(this, index),
		this.getNodeParameter('ip', index, ''),
		timestamp === '' ? undefined : timestamp,
	);
	return this.helpers.constructExecutionMetaData(this.helpers.returnJsonArray(machines), {
		itemData: { item: index },
	});
}
