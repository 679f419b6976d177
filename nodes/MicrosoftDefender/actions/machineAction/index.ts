import type { INodeProperties } from 'n8n-workflow';

import * as cancel from './cancel.operation';
import * as get from './get.operation';
import * as getAll from './getAll.operation';

export { cancel, get, getAll };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['machineAction'] } },
		options: [
			{ name: 'Cancel', value: 'cancel', description: 'Cancel a pending response action', action: 'Cancel a machine action' },
			{ name: 'Get', value: 'get', description: 'Get a response action and its status', action: 'Get a machine action' },
			{ name: 'Get Many', value: 'getAll', description: 'List response actions, filtered', action: 'Get many machine actions' },
		],
		default: 'getAll',
	},
	...getAll.description,
	...get.description,
	...cancel.description,
];
