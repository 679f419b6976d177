import { notFound, softwareIdField, softwareIdFrom } from './fields';
import { lookupOperation } from '../lookup';

export const { option, properties, execute } = lookupOperation({
	option: {
		name: 'Get Vulnerabilities',
		description: 'Known vulnerabilities of the software (Vulnerability.Read.All)',
		action: 'Get vulnerabilities of a software product',
		toolDescription:
			'Get vulnerabilities of a software product: each CVE with severity and CVSS score',
	},
	fields: [softwareIdField],
	answer: 'list',
	request(index) {
		const id = softwareIdFrom(this, index);
		return {
			path: `/api/Software/${encodeURIComponent(id)}/vulnerabilities`,
			permission: 'Vulnerability.Read.All',
			notFoundMessage: notFound(id),
		};
	},
});
