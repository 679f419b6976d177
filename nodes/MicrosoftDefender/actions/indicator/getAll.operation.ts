import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import type { OperationOption } from '../node.type';
import { endpointSessionFor, wantedCount } from '../../helpers/parameters';
import {
	INDICATOR_ACTION_DESCRIPTIONS,
	optionsWithTenant,
	returnAllFields,
	optionsOf,
	filtersCollection,
} from '../../descriptions/common';
import { odataString } from '../../helpers/odata';
import { INDICATOR_ACTIONS, INDICATOR_TYPES } from '../../helpers/indicators';
import { listPages } from '../../transport/paging';

export const properties: INodeProperties[] = [
	...returnAllFields,
	filtersCollection([
		{
			displayName: 'Action',
			name: 'action',
			type: 'options',
			options: optionsOf(INDICATOR_ACTIONS, INDICATOR_ACTION_DESCRIPTIONS),
			default: 'Block',
		},
		{
			displayName: 'Type',
			name: 'indicatorType',
			type: 'options',
			options: optionsOf(INDICATOR_TYPES),
			default: 'FileSha256',
		},
		{
			displayName: 'Value',
			name: 'indicatorValue',
			type: 'string',
			default: '',
			description: 'Exact indicator value, e.g. a hash or domain',
		},
	]),
	optionsWithTenant,
];

export const option: OperationOption = {
	name: 'Get Many',
	description: 'List indicators',
	action: 'Get many indicators',
	toolDescription:
		'Get many indicators: each blocked, warned-on or allowed hash, IP address, domain or URL',
};

export async function execute(
	this: IExecuteFunctions,
	index: number,
): Promise<INodeExecutionData[]> {
	const filters = this.getNodeParameter('filters', index, {}) as IDataObject;
	const clauses = (['indicatorValue', 'indicatorType', 'action'] as const)
		.filter((key) => typeof filters[key] === 'string' && (filters[key] as string).trim() !== '')
		.map((key) => `${key} eq ${odataString((filters[key] as string).trim())}`);
	const request = {
		method: 'GET' as const,
		path: '/api/indicators',
		qs: { $filter: clauses.join(' and ') || undefined },
		quota: 'endpoint' as const,
		permission: 'Ti.ReadWrite.All',
	};
	const indicators: IDataObject[] = [];
	for await (const page of listPages.call(this, endpointSessionFor(this, index), request, {
		wanted: wantedCount(this, index),
	}))
		indicators.push(...page);
	return this.helpers.constructExecutionMetaData(this.helpers.returnJsonArray(indicators), {
		itemData: { item: index },
	});
}
