import { notFound, PERMISSION, softwareIdField, softwareIdFrom } from './fields';
import { lookupOperation } from '../lookup';

export const { option, properties, execute } = lookupOperation({
	option: {
		name: 'Get Missing KBs',
		description: 'Security updates missing for the software',
		action: 'Get missing KBs of a software product',
		toolDescription:
			'Get missing KBs of a software product: each security update with its ID and devices missing it',
	},
	fields: [softwareIdField],
	answer: 'list',
	request(index) {
		const id = softwareIdFrom(this, index);
		return {
			path: `/api/Software/${encodeURIComponent(id)}/getmissingkbs`,
			permission: PERMISSION,
			notFoundMessage: notFound(id),
		};
	},
});
