import { fileRequest, shaField, shaFrom } from './fields';
import { lookBackHoursField, lookBackHoursFrom, lookupOperation } from '../lookup';

export const { option, properties, execute } = lookupOperation({
	option: {
		name: 'Get Statistics',
		description: 'Prevalence in your organisation and worldwide (File.Read.All)',
		action: 'Get statistics of a file',
		toolDescription:
			'Get statistics of a file: prevalence in the organisation and worldwide, first and last seen',
	},
	fields: [shaField, lookBackHoursField],
	answer: 'record',
	request(index) {
		return {
			...fileRequest(shaFrom(this, index), '/stats'),
			qs: { lookBackHours: lookBackHoursFrom(this, index) },
		};
	},
});
