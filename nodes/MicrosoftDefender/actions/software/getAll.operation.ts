import type { IDataObject } from 'n8n-workflow';

import { filtersField, PERMISSION, softwareFilter } from './fields';
import { lookupOperation } from '../lookup';

export const { option, properties, execute } = lookupOperation({
	option: {
		name: 'Get Many',
		description: 'List the software inventory, filtered',
		action: 'Get many software products',
		toolDescription:
			'Get many software products: each with ID, vendor, name, installed count and weaknesses',
	},
	fields: [filtersField],
	answer: 'paged',
	request(index) {
		return {
			path: '/api/Software',
			qs: { $filter: softwareFilter(this.getNodeParameter('filters', index, {}) as IDataObject) },
			permission: PERMISSION,
		};
	},
});
