import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import type { OperationOption } from '../node.type';
import { endpointSessionFor, indicatorIdFrom } from '../../helpers/parameters';
import { indicatorIdLocator, optionsWithTenant } from '../../descriptions/common';
import { defenderApiRequest } from '../../transport/request';

export const properties: INodeProperties[] = [indicatorIdLocator, optionsWithTenant];

export const option: OperationOption = {
	name: 'Delete',
	description: 'Delete an indicator. Changes state.',
	action: 'Delete an indicator',
	toolDescription: 'Delete an indicator (changes state)',
};

export async function execute(
	this: IExecuteFunctions,
	index: number,
): Promise<INodeExecutionData[]> {
	const id = indicatorIdFrom(this, index);
	await defenderApiRequest.call(this, endpointSessionFor(this, index), {
		method: 'DELETE',
		path: `/api/indicators/${id}`,
		quota: 'endpoint',
		permission: 'Ti.ReadWrite.All',
		idempotent: true,
		notFoundMessage: `Indicator ${id} not found (already deleted?).`,
	});
	return this.helpers.constructExecutionMetaData(
		this.helpers.returnJsonArray({ id, deleted: true }),
		{ itemData: { item: index } },
	);
}
