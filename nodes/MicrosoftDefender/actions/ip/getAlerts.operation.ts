import { ipField, ipFrom } from './fields';
import { lookupOperation } from '../lookup';

export const { option, properties, execute } = lookupOperation({
	option: {
		name: 'Get Alerts',
		description: 'Alerts involving the IP address (Alert.Read.All)',
		action: 'Get alerts of an IP address',
		toolDescription:
			'Get alerts of an IP address: each with ID, title, severity, status and device',
	},
	fields: [ipField],
	answer: 'list',
	request(index) {
		return {
			path: `/api/ips/${encodeURIComponent(ipFrom(this, index))}/alerts`,
			permission: 'Alert.Read.All',
		};
	},
});
