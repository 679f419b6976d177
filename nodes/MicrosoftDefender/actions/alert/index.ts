import type { INodeProperties } from 'n8n-workflow';

import * as get from './get.operation';
import * as getAll from './getAll.operation';
import * as update from './update.operation';

export { get, getAll, update };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['alert'] } },
		options: [
			{ name: 'Get', value: 'get', description: 'Get an alert by ID', action: 'Get an alert' },
			{ name: 'Get Many', value: 'getAll', description: 'List alerts, filtered', action: 'Get many alerts' },
			{ name: 'Update', value: 'update', description: 'Change status, assignment, classification; add a comment', action: 'Update an alert' },
		],
		default: 'getAll',
	},
	...getAll.description,
	...get.description,
	...update.description,
];
