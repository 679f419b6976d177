import { deviceListOperation } from './deviceList';

export const { option, properties, execute } = deviceListOperation({
	option: {
		name: 'Get Vulnerabilities',
		description: 'Vulnerabilities (CVEs) on a device (Vulnerability.Read.All)',
		action: 'Get vulnerabilities of a device',
		toolDescription: 'Get vulnerabilities of a device: each CVE with severity and CVSS score',
	},
	path: 'vulnerabilities',
	permission: 'Vulnerability.Read.All',
	quota: 'deviceVulnerabilities',
	limited: true,
});
