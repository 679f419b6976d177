import { accountField, accountNameFrom } from './fields';
import { lookupOperation } from '../lookup';

export const { option, properties, execute } = lookupOperation({
	option: {
		name: 'Get Devices',
		description: 'Devices the account logged on to (Machine.ReadWrite.All)',
		action: 'Get devices of a user',
		toolDescription:
			'Get devices of a user: each device the account logged on to, with ID and DNS name',
	},
	fields: [accountField],
	answer: 'list',
	request(index) {
		return {
			path: `/api/users/${encodeURIComponent(accountNameFrom(this, index))}/machines`,
			permission: 'Machine.ReadWrite.All',
		};
	},
});
