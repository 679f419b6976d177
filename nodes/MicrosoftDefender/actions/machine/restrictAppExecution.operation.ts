import { responseActionOperation } from './responseAction';

export const { description, execute } = responseActionOperation({
	operation: 'restrictAppExecution',
	path: 'restrictCodeExecution',
	type: 'RestrictCodeExecution',
	label: 'Restrict app execution',
	permission: 'Machine.RestrictExecution',
});
