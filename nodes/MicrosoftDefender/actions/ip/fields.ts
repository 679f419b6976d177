import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { isValidIndicator } from '../../helpers/indicators';
import { inputError } from '../lookup';

export const ipField: INodeProperties = {
	displayName: 'IP Address',
	name: 'ip',
	type: 'string',
	default: '',
	required: true,
	placeholder: 'e.g. 203.0.113.7',
	description: 'IPv4 or IPv6 address',
};

export function ipFrom(context: IExecuteFunctions, index: number): string {
	const ip = String(context.getNodeParameter('ip', index, '')).trim();
	if (!isValidIndicator('IpAddress', ip))
		throw inputError(
			context,
			index,
			`"${ip}" is not an IP address. Enter an IPv4 or IPv6 address, e.g. 203.0.113.7.`,
		);
	return ip;
}
