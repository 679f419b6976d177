import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { OperationOption } from '../node.type';
import { endpointSessionFor, wantedCount } from '../../helpers/parameters';
import {
	optionsOf,
	optionsWithTenant,
	returnAllFields,
	filtersCollection,
} from '../../descriptions/common';
import { odataDateTime, odataString } from '../../helpers/odata';
import { listPages } from '../../transport/paging';

export const properties: INodeProperties[] = [
	...returnAllFields,
	filtersCollection([
		{
			displayName: 'Exposure Level',
			name: 'exposureLevel',
			type: 'options',
			options: optionsOf(['None', 'Low', 'Medium', 'High']),
			default: 'High',
		},
		{
			displayName: 'Health Status',
			name: 'healthStatus',
			type: 'options',
			options: optionsOf([
				'Active',
				'Inactive',
				'ImpairedCommunication',
				'NoSensorData',
				'NoSensorDataImpairedCommunication',
				'Unknown',
			]),
			default: 'Active',
		},
		{ displayName: 'Last Seen After', name: 'lastSeenAfter', type: 'dateTime', default: '' },
		{
			displayName: 'Name Starts With',
			name: 'name',
			type: 'string',
			default: '',
			placeholder: 'e.g. ws-01',
			description: 'Beginning of the DNS name',
		},
		{
			displayName: 'OS Platform',
			name: 'osPlatform',
			type: 'string',
			default: '',
			placeholder: 'e.g. Windows11',
		},
		{
			displayName: 'Risk Score',
			name: 'riskScore',
			type: 'options',
			options: optionsOf(['None', 'Informational', 'Low', 'Medium', 'High']),
			default: 'High',
		},
		{
			displayName: 'Tag',
			name: 'tag',
			type: 'string',
			default: '',
			description: 'Devices carrying this tag',
		},
	]),
	optionsWithTenant,
];

export const option: OperationOption = {
	name: 'Get Many',
	description: 'List devices, filtered',
	action: 'Get many devices',
	toolDescription:
		'Get many devices: each with ID, DNS name, OS, health, risk score, exposure level and tags',
};

export function machineFilter(filters: IDataObject): string | undefined {
	const clauses: string[] = [];
	const text = (key: string) =>
		typeof filters[key] === 'string' ? (filters[key] as string).trim() : '';
	if (text('name'))
		clauses.push(`startswith(computerDnsName,${odataString(text('name').toLowerCase())})`);
	for (const key of ['healthStatus', 'riskScore', 'exposureLevel', 'osPlatform']) {
		if (text(key)) clauses.push(`${key} eq ${odataString(text(key))}`);
	}
	if (text('tag')) clauses.push(`machineTags/any(tag: tag eq ${odataString(text('tag'))})`);
	if (text('lastSeenAfter'))
		clauses.push(`lastSeen ge ${odataDateTime(text('lastSeenAfter'), 'Last Seen After')}`);
	return clauses.length > 0 ? clauses.join(' and ') : undefined;
}

export async function execute(
	this: IExecuteFunctions,
	index: number,
): Promise<INodeExecutionData[]> {
	const session = endpointSessionFor(this, index);
	let filter: string | undefined;
	try {
		filter = machineFilter(this.getNodeParameter('filters', index, {}) as IDataObject);
	} catch (error) {
		throw new NodeOperationError(this.getNode(), (error as Error).message, { itemIndex: index });
	}
	const machines: IDataObject[] = [];
	const request = {
		method: 'GET' as const,
		path: '/api/machines',
		qs: { $filter: filter },
		quota: 'endpoint' as const,
		permission: 'Machine.Read.All',
	};
	for await (const page of listPages.call(this, session, request, {
		wanted: wantedCount(this, index),
	}))
		machines.push(...page);
	return this.helpers.constructExecutionMetaData(this.helpers.returnJsonArray(machines), {
		itemData: { item: index },
	});
}
