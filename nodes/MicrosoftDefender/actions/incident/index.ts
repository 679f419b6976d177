import type { INodeProperties } from 'n8n-workflow';

import * as addComment from './addComment.operation';
import * as get from './get.operation';
import * as getAll from './getAll.operation';
import * as update from './update.operation';

export { addComment, get, getAll, update };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['incident'] } },
		options: [
			{ name: 'Add Comment', value: 'addComment', description: 'Add a comment to an incident', action: 'Add a comment to an incident' },
			{ name: 'Get', value: 'get', description: 'Get an incident by ID', action: 'Get an incident' },
			{ name: 'Get Many', value: 'getAll', description: 'List incidents, filtered', action: 'Get many incidents' },
			{ name: 'Update', value: 'update', description: 'Change status, assignment, classification, tags; add a comment', action: 'Update an incident' },
		],
		default: 'getAll',
	},
	...getAll.description,
	...get.description,
	...update.description,
	...addComment.description,
];
