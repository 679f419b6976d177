import type { IDataObject } from 'n8n-workflow';

import { filtersField, PERMISSION, recommendationFilter } from './fields';
import { lookupOperation } from '../lookup';

export const { option, properties, execute } = lookupOperation({
	option: {
		name: 'Get Many',
		description: 'List security recommendations, filtered',
		action: 'Get many security recommendations',
		toolDescription:
			'Get many security recommendations: each with ID, product, severity and exposed devices count',
	},
	fields: [filtersField],
	answer: 'paged',
	request(index) {
		return {
			path: '/api/recommendations',
			qs: {
				$filter: recommendationFilter(this.getNodeParameter('filters', index, {}) as IDataObject),
			},
			permission: PERMISSION,
		};
	},
});
