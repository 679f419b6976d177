import type { INodeProperties } from 'n8n-workflow';

import * as create from './create.operation';
import * as deleteIndicator from './delete.operation';
import * as getAll from './getAll.operation';

export { create, deleteIndicator as delete, getAll };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['indicator'] } },
		options: [
			{ name: 'Create', value: 'create', description: 'Block, warn on or allow a hash, IP, domain or URL', action: 'Create an indicator' },
			{ name: 'Delete', value: 'delete', description: 'Delete an indicator', action: 'Delete an indicator' },
			{ name: 'Get Many', value: 'getAll', description: 'List indicators', action: 'Get many indicators' },
		],
		default: 'create',
	},
	...getAll.description,
	...create.description,
	...deleteIndicator.description,
];
