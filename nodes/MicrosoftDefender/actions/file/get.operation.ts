import { fileRequest, shaField, shaFrom } from './fields';
import { lookupOperation } from '../lookup';

export const { option, properties, execute } = lookupOperation({
	option: {
		name: 'Get',
		description:
			'Get what Defender knows of a file: signer, prevalence, determination (File.Read.All)',
		action: 'Get a file',
		toolDescription:
			'Get a file by its SHA-1 or SHA-256: signer, size, prevalence and determination',
	},
	fields: [shaField],
	answer: 'record',
	request(index) {
		return fileRequest(shaFrom(this, index));
	},
});
