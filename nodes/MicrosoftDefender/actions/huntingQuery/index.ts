import type { INodeProperties } from 'n8n-workflow';

import * as run from './run.operation';

export { run };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['huntingQuery'] } },
		options: [{ name: 'Run Query', value: 'run', description: 'Run a KQL advanced hunting query', action: 'Run an advanced hunting query' }],
		default: 'run',
	},
	...run.description,
];
