import { notFound, PERMISSION, softwareIdField, softwareIdFrom } from './fields';
import { lookupOperation } from '../lookup';

export const { option, properties, execute } = lookupOperation({
	option: {
		name: 'Get',
		description: 'Get a software product of the inventory',
		action: 'Get a software product',
		toolDescription:
			'Get a software product by its ID: vendor, name, installed count and weaknesses',
	},
	fields: [softwareIdField],
	answer: 'record',
	request(index) {
		const id = softwareIdFrom(this, index);
		return {
			path: `/api/Software/${encodeURIComponent(id)}`,
			permission: PERMISSION,
			notFoundMessage: notFound(id),
		};
	},
});
