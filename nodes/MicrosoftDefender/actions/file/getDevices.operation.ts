import { sha1For, shaField, shaFrom } from './fields';
import { lookupOperation } from '../lookup';

export const { option, properties, execute } = lookupOperation({
	option: {
		name: 'Get Devices',
		description: 'Devices the file was seen on (Machine.Read.All)',
		action: 'Get devices of a file',
		toolDescription:
			'Get devices of a file: each device the file was seen on, with ID and DNS name',
	},
	fields: [shaField],
	answer: 'list',
	async request(index, session) {
		const sha1 = await sha1For.call(this, index, session, shaFrom(this, index));
		return { path: `/api/files/${sha1}/machines`, permission: 'Machine.Read.All' };
	},
});
