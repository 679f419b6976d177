import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { quoted } from '../../helpers/validate';

export const machineActionIdField: INodeProperties = {
	displayName: 'Machine Action ID',
	name: 'machineActionId',
	type: 'string',
	default: '',
	required: true,
	placeholder: 'e.g. 5382f7ea-7557-4ab7-9782-d50480024a4e',
	description: 'The ID of a machine action, as output by a response action',
};

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function machineActionIdFrom(context: IExecuteFunctions, index: number): string {
	const id = String(context.getNodeParameter('machineActionId', index, '')).trim();
	if (!GUID.test(id)) {
		throw new NodeOperationError(context.getNode(), `Machine Action ID ${quoted(id)} is not a machine action ID. Use the GUID in the "id" field of a response action's output.`, { itemIndex: index });
	}
	return id;
}
