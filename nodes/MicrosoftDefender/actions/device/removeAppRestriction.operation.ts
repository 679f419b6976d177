import { responseActionOperation } from './responseAction';

export const { option, properties, execute } = responseActionOperation({
	option: {
		name: 'Remove App Restriction',
		description:
			'Allow all apps again (Machine.RestrictExecution). Changes state: a response action.',
		action: 'Remove an app restriction',
		toolDescription: 'Remove an app restriction from a device (changes state: a response action)',
	},
	path: 'unrestrictCodeExecution',
	type: 'UnrestrictCodeExecution',
	label: 'Remove app restriction',
	permission: 'Machine.RestrictExecution',
});
