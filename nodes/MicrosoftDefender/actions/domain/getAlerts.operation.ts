import { domainField, domainFrom } from './fields';
import { lookupOperation } from '../lookup';

export const { option, properties, execute } = lookupOperation({
	option: {
		name: 'Get Alerts',
		description: 'Alerts involving the domain (Alert.Read.All)',
		action: 'Get alerts of a domain',
		toolDescription: 'Get alerts of a domain: each with ID, title, severity, status and device',
	},
	fields: [domainField],
	answer: 'list',
	request(index) {
		return { path: `/api/domains/${domainFrom(this, index)}/alerts`, permission: 'Alert.Read.All' };
	},
});
