import { responseActionOperation } from './responseAction';

export const { option, properties, execute } = responseActionOperation({
	option: { name: 'Restrict App Execution', description: 'Allow only Microsoft-signed apps (Machine.RestrictExecution)', action: 'Restrict app execution' },
	path: 'restrictCodeExecution',
	type: 'RestrictCodeExecution',
	label: 'Restrict app execution',
	permission: 'Machine.RestrictExecution',
});
