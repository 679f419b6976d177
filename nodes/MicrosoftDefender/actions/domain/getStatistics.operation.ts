import { domainField, domainFrom } from './fields';
import { lookBackHoursField, lookBackHoursFrom, lookupOperation } from '../lookup';

export const { option, properties, execute } = lookupOperation({
	option: {
		name: 'Get Statistics',
		description: 'How many devices communicated with it, first and last seen (URL.Read.All)',
		action: 'Get statistics of a domain',
		toolDescription:
			'Get statistics of a domain: how many devices communicated with it, first and last seen',
	},
	fields: [domainField, lookBackHoursField],
	answer: 'record',
	request(index) {
		return {
			path: `/api/domains/${domainFrom(this, index)}/stats`,
			qs: { lookBackHours: lookBackHoursFrom(this, index) },
			permission: 'URL.Read.All',
		};
	},
});
