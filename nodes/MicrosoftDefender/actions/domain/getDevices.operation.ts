import { domainField, domainFrom } from './fields';
import { lookupOperation } from '../lookup';

export const { option, properties, execute } = lookupOperation({
	option: {
		name: 'Get Devices',
		description: 'Devices that communicated with the domain, at most 500 (Machine.Read.All)',
		action: 'Get devices of a domain',
		toolDescription:
			'Get devices of a domain: each device that communicated with it, with ID and DNS name',
	},
	fields: [domainField],
	answer: 'list',
	request(index) {
		return {
			path: `/api/domains/${domainFrom(this, index)}/machines`,
			permission: 'Machine.Read.All',
		};
	},
});
