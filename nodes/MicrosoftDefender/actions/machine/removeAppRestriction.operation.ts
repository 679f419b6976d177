import { responseActionOperation } from './responseAction';

export const { description, execute } = responseActionOperation({
	operation: 'removeAppRestriction',
	path: 'unrestrictCodeExecution',
	type: 'UnrestrictCodeExecution',
	label: 'Remove app restriction',
	permission: 'Machine.RestrictExecution',
});
