import { lookupOperation } from '../lookup';

export const { option, properties, execute } = lookupOperation({
	option: { name: 'Get', description: "The organisation's exposure score (0–100, lower is better)", action: 'Get the exposure score' },
	fields: [],
	answer: 'record',
	request() {
		return { path: '/api/exposureScore', permission: 'Score.Read.All' };
	},
});
