import { responseActionOperation } from './responseAction';

export const { option, properties, execute } = responseActionOperation({
	option: {
		name: 'Run Antivirus Scan',
		description:
			'Start a Defender Antivirus scan (Machine.Scan). Changes state: a response action.',
		action: 'Run an antivirus scan',
		toolDescription: 'Run an antivirus scan on a device (changes state: a response action)',
	},
	path: 'runAntiVirusScan',
	type: 'RunAntiVirusScan',
	label: 'Antivirus scan',
	permission: 'Machine.Scan',
	fields: [
		{
			displayName: 'Scan Type',
			name: 'scanType',
			type: 'options',
			options: [
				{ name: 'Full', value: 'Full' },
				{ name: 'Quick', value: 'Quick' },
			],
			default: 'Quick',
		},
	],
	body: (context, index) => ({
		ScanType: context.getNodeParameter('scanType', index, 'Quick') as string,
	}),
});
