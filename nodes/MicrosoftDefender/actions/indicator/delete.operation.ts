import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { OperationOption } from '../node.type';
import { endpointSessionFor } from '../../helpers/parameters';
import { optionsWithTenant } from '../../descriptions/common';
import { quoted } from '../../helpers/validate';
import { defenderApiRequest } from '../../transport/request';

export const properties: INodeProperties[] = [
	{ displayName: 'Indicator ID', name: 'indicatorId', type: 'string', default: '', required: true, placeholder: 'e.g. 995', description: 'The ID of the indicator' },
	optionsWithTenant,
];

export const option: OperationOption = { name: 'Delete', description: 'Delete an indicator', action: 'Delete an indicator' };

export async function execute(this: IExecuteFunctions, index: number): Promise<INodeExecutionData[]> {
	const id = String(this.getNodeParameter('indicatorId', index, '')).trim();
	if (!/^\d+$/.test(id)) throw new NodeOperationError(this.getNode(), `Indicator ID ${quoted(id)} is not an indicator ID (a number, the "id" of the indicator).`, { itemIndex: index });
	await defenderApiRequest.call(this, endpointSessionFor(this, index), {
		method: 'DELETE',
		path: `/api/indicators/${id}`,
		quota: 'endpoint',
		permission: 'Ti.ReadWrite.All',
		idempotent: true,
		notFoundMessage: `Indicator ${id} not found (already deleted?).`,
	});
	return this.helpers.constructExecutionMetaData(this.helpers.returnJsonArray({ id, deleted: true }), { itemData: { item: index } });
}
