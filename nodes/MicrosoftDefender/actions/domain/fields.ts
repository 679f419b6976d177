import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { isValidIndicator } from '../../helpers/indicators';
import { inputError } from '../lookup';

export const domainField: INodeProperties = {
	displayName: 'Domain',
	name: 'domain',
	type: 'string',
	default: '',
	required: true,
	placeholder: 'e.g. malicious.example.com',
	description: 'Domain name, without scheme or path',
};

export function domainFrom(context: IExecuteFunctions, index: number): string {
	const domain = String(context.getNodeParameter('domain', index, ''))
		.trim()
		.toLowerCase();
	if (!isValidIndicator('DomainName', domain))
		throw inputError(
			context,
			index,
			`"${domain}" is not a domain name. Enter it without scheme or path, e.g. malicious.example.com.`,
		);
	return domain;
}
