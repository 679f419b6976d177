import { responseActionOperation } from './responseAction';

export const { option, properties, execute } = responseActionOperation({
	option: {
		name: 'Isolate',
		description:
			'Isolate a device from the network (Machine.Isolate). Changes state: a response action.',
		action: 'Isolate a device',
		toolDescription: 'Isolate a device from the network (changes state: a response action)',
	},
	path: 'isolate',
	type: 'Isolate',
	label: 'Isolate',
	permission: 'Machine.Isolate',
	fields: [
		{
			displayName: 'Isolation Type',
			name: 'isolationType',
			type: 'options',
			options: [
				{
					name: 'Full',
					value: 'Full',
					description: 'Cut the device off the network except for Defender',
				},
				{
					name: 'Selective',
					value: 'Selective',
					description: 'Keep Outlook, Teams and Skype working',
				},
				{
					name: 'Unmanaged Device',
					value: 'UnManagedDevice',
					description: 'Contain an unmanaged device (Defender for Endpoint contain)',
				},
			],
			default: 'Full',
		},
	],
	body: (context, index) => ({
		IsolationType: context.getNodeParameter('isolationType', index, 'Full') as string,
	}),
});
