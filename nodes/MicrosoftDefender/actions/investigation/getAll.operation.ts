import type { IDataObject } from 'n8n-workflow';

import { filtersField, investigationFilter, PERMISSION } from './fields';
import { inputError, lookupOperation } from '../lookup';

export const { option, properties, execute } = lookupOperation({
	option: {
		name: 'Get Many',
		description: 'List automated investigations, newest first, filtered',
		action: 'Get many automated investigations',
		toolDescription:
			'Get many automated investigations, newest first: each with ID, state and device',
	},
	fields: [filtersField],
	answer: 'paged',
	request(index) {
		let filter: string | undefined;
		try {
			filter = investigationFilter(this.getNodeParameter('filters', index, {}) as IDataObject);
		} catch (error) {
			throw inputError(this, index, (error as Error).message);
		}
		return { path: '/api/investigations', qs: { $filter: filter }, permission: PERMISSION };
	},
});
