import { ipField, ipFrom } from './fields';
import { lookBackHoursField, lookBackHoursFrom, lookupOperation } from '../lookup';

export const { option, properties, execute } = lookupOperation({
	option: {
		name: 'Get Statistics',
		description: 'How many devices communicated with it, first and last seen (Ip.Read.All)',
		action: 'Get statistics of an IP address',
		toolDescription:
			'Get statistics of an IP address: how many devices communicated with it, first and last seen',
	},
	fields: [ipField, lookBackHoursField],
	answer: 'record',
	request(index) {
		return {
			path: `/api/ips/${encodeURIComponent(ipFrom(this, index))}/stats`,
			qs: { lookBackHours: lookBackHoursFrom(this, index) },
			permission: 'Ip.Read.All',
		};
	},
});
