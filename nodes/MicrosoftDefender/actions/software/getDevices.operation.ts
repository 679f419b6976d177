import { notFound, PERMISSION, softwareIdField, softwareIdFrom } from './fields';
import { lookupOperation } from '../lookup';

export const { option, properties, execute } = lookupOperation({
	option: {
		name: 'Get Devices',
		description: 'Devices with the software installed',
		action: 'Get devices with a software product',
		toolDescription:
			'Get devices with a software product: each device it is installed on, with ID and DNS name',
	},
	fields: [softwareIdField],
	answer: 'list',
	request(index) {
		const id = softwareIdFrom(this, index);
		return {
			path: `/api/Software/${encodeURIComponent(id)}/machineReferences`,
			permission: PERMISSION,
			notFoundMessage: notFound(id),
		};
	},
});
