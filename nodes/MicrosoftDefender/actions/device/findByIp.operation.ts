import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { OperationOption } from '../node.type';
import { optionsWithTenant } from '../../descriptions/common';
import { endpointSessionFor } from '../../helpers/parameters';
import { odataDateTime } from '../../helpers/odata';
import { isValidIndicator } from '../../helpers/indicators';
import { defenderApiRequest } from '../../transport/request';

/** Defender keeps IP assignments for 30 days and matches 15 minutes either side of the time. */
const MAX_AGE_MS = 30 * 86_400_000;

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
	action: 'Find devices by IP: the devices that had an IP address at a given time',
};

export async function execute(
	this: IExecuteFunctions,
	index: number,
): Promise<INodeExecutionData[]> {
	const session = endpointSessionFor(this, index);
	const ip = String(this.getNodeParameter('ip', index, '')).trim();
	const fail = (message: string) =>
		new NodeOperationError(this.getNode(), message, { itemIndex: index });
	if (!isValidIndicator('IpAddress', ip))
		throw fail(`"${ip}" is not an IP address. Enter an IPv4 or IPv6 address, e.g. 10.0.0.15.`);
	let timestamp: string;
	try {
		timestamp = odataDateTime(this.getNodeParameter('timestamp', index, ''), 'Time');
	} catch (error) {
		throw fail((error as Error).message);
	}
	const age = Date.now() - Date.parse(timestamp);
	if (age > MAX_AGE_MS)
		throw fail(
			`Time ${timestamp} is more than 30 days ago. Defender finds devices by IP only within the last 30 days.`,
		);
	// The IP is quoted and the time is not, as the documented call spells it.
	const answer = await defenderApiRequest.call(this, session, {
		method: 'GET',
		path: `/api/machines/findbyip(ip='${ip}',timestamp=${timestamp.replace(/\.\d+Z$/, 'Z')})`,
		quota: 'endpoint',
		permission: 'Machine.Read.All',
	});
	const machines = Array.isArray(answer.value) ? (answer.value as IDataObject[]) : [];
	return this.helpers.constructExecutionMetaData(this.helpers.returnJsonArray(machines), {
		itemData: { item: index },
	});
}
