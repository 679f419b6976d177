import { responseActionOperation } from './responseAction';

export const { option, properties, execute } = responseActionOperation({
	option: {
		name: 'Restrict App Execution',
		description:
			'Allow only Microsoft-signed apps (Machine.RestrictExecution). Changes state: a response action.',
		action: 'Restrict app execution',
		toolDescription:
			'Restrict app execution on a device to Microsoft-signed apps (changes state: a response action)',
	},
	path: 'restrictCodeExecution',
	type: 'RestrictCodeExecution',
	label: 'Restrict app execution',
	permission: 'Machine.RestrictExecution',
});
