import { responseActionOperation } from './responseAction';

export const { option, properties, execute } = responseActionOperation({
	option: {
		name: 'Release From Isolation',
		description: 'Undo an isolation (Machine.Isolate). Changes state: a response action.',
		action: 'Release a device from isolation',
		toolDescription: 'Release a device from isolation (changes state: a response action)',
	},
	path: 'unisolate',
	type: 'Unisolate',
	label: 'Release from isolation',
	permission: 'Machine.Isolate',
});
