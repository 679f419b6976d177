import { responseActionOperation } from './responseAction';

export const { description, execute } = responseActionOperation({
	operation: 'release',
	path: 'unisolate',
	type: 'Unisolate',
	label: 'Release from isolation',
	permission: 'Machine.Isolate',
});
