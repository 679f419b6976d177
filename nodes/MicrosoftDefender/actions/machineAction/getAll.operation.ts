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
	optionsWithTenant,
	returnAllFields,
	optionsOf,
	filtersCollection,
} from '../../descriptions/common';
import { odataDateTime, odataString } from '../../helpers/odata';
import { resolveMachine } from '../../helpers/devices';
import { listPages } from '../../transport/paging';

export const ACTION_TYPES = [
	'Isolate',
	'Unisolate',
	'RunAntiVirusScan',
	'RestrictCodeExecution',
	'UnrestrictCodeExecution',
	'CollectInvestigationPackage',
	'StopAndQuarantineFile',
	'Offboard',
	'LiveResponse',
];
export const ACTION_STATUSES = [
	'Pending',
	'InProgress',
	'Succeeded',
	'Failed',
	'TimeOut',
	'Cancelled',
];
export const properties: INodeProperties[] = [
	...returnAllFields,
	filtersCollection([
		{ displayName: 'Created After', name: 'createdAfter', type: 'dateTime', default: '' },
		{
			displayName: 'Device',
			name: 'machine',
			type: 'string',
			default: '',
			placeholder: 'e.g. ws-0101.contoso.local or device ID',
			description: 'Actions on this device (ID or DNS name)',
		},
		{
			displayName: 'Status',
			name: 'status',
			type: 'options',
			options: optionsOf(ACTION_STATUSES),
			default: 'Pending',
		},
		{
			displayName: 'Type',
			name: 'type',
			type: 'options',
			options: optionsOf(ACTION_TYPES),
			default: 'Isolate',
		},
	]),
	optionsWithTenant,
];

export const option: OperationOption = {
	name: 'Get Many',
	description: 'List response actions, filtered',
	action: 'Get many machine actions',
	toolDescription:
		'Get many machine actions: each response action with its type, status, device and requester',
};

export async function execute(
	this: IExecuteFunctions,
	index: number,
): Promise<INodeExecutionData[]> {
	const session = endpointSessionFor(this, index);
	const filters = this.getNodeParameter('filters', index, {}) as IDataObject;
	const clauses: string[] = [];
	if (typeof filters.machine === 'string' && filters.machine.trim() !== '') {
		const machine = await resolveMachine.call(this, session, filters.machine);
		clauses.push(`machineId eq ${odataString(machine.id)}`);
	}
	if (typeof filters.status === 'string' && filters.status !== '')
		clauses.push(`status eq ${odataString(filters.status)}`);
	if (typeof filters.type === 'string' && filters.type !== '')
		clauses.push(`type eq ${odataString(filters.type)}`);
	if (typeof filters.createdAfter === 'string' && filters.createdAfter !== '') {
		try {
			clauses.push(
				`creationDateTimeUtc ge ${odataDateTime(filters.createdAfter, 'Created After')}`,
			);
		} catch (error) {
			throw new NodeOperationError(this.getNode(), (error as Error).message, { itemIndex: index });
		}
	}
	const request = {
		method: 'GET' as const,
		path: '/api/machineactions',
		qs: { $filter: clauses.join(' and ') || undefined },
		quota: 'endpoint' as const,
		permission: 'Machine.Read.All',
	};
	const actions: IDataObject[] = [];
	for await (const page of listPages.call(this, session, request, {
		wanted: wantedCount(this, index),
	}))
		actions.push(...page);
	return this.helpers.constructExecutionMetaData(this.helpers.returnJsonArray(actions), {
		itemData: { item: index },
	});
}
