import { lookupOperation } from '../lookup';

export const { option, properties, execute } = lookupOperation({
	option: {
		name: 'Get',
		description: "The organisation's exposure score (0–100, lower is better)",
		action: 'Get the exposure score',
		toolDescription:
			"Get the exposure score: the organisation's score from 0 to 100, lower is better",
	},
	fields: [],
	answer: 'record',
	request() {
		return { path: '/api/exposureScore', permission: 'Score.Read.All' };
	},
});
