import { sha1For, shaField, shaFrom } from './fields';
import { lookupOperation } from '../lookup';

export const { option, properties, execute } = lookupOperation({
	option: {
		name: 'Get Alerts',
		description: 'Alerts involving the file (Alert.Read.All)',
		action: 'Get alerts of a file',
		toolDescription: 'Get alerts of a file: each with ID, title, severity, status and device',
	},
	fields: [shaField],
	answer: 'list',
	async request(index, session) {
		const sha1 = await sha1For.call(this, index, session, shaFrom(this, index));
		return { path: `/api/files/${sha1}/alerts`, permission: 'Alert.Read.All' };
	},
});
