import { notFound, PERMISSION, recommendationIdField, recommendationIdFrom } from './fields';
import { lookupOperation } from '../lookup';

export const { option, properties, execute } = lookupOperation({
	option: {
		name: 'Get',
		description: 'Get a security recommendation',
		action: 'Get a security recommendation',
		toolDescription:
			'Get a security recommendation by its ID: product, severity, exposed devices and remediation',
	},
	fields: [recommendationIdField],
	answer: 'record',
	request(index) {
		const id = recommendationIdFrom(this, index);
		return {
			path: `/api/recommendations/${encodeURIComponent(id)}`,
			permission: PERMISSION,
			notFoundMessage: notFound(id),
		};
	},
});
