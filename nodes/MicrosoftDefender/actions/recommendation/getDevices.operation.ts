import { notFound, PERMISSION, recommendationIdField, recommendationIdFrom } from './fields';
import { lookupOperation } from '../lookup';

export const { option, properties, execute } = lookupOperation({
	option: {
		name: 'Get Devices',
		description: 'Devices the recommendation applies to',
		action: 'Get devices of a security recommendation',
		toolDescription:
			'Get devices of a security recommendation: each device it applies to, with ID and DNS name',
	},
	fields: [recommendationIdField],
	answer: 'list',
	request(index) {
		const id = recommendationIdFrom(this, index);
		return {
			path: `/api/recommendations/${encodeURIComponent(id)}/machineReferences`,
			permission: PERMISSION,
			notFoundMessage: notFound(id),
		};
	},
});
