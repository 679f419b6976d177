import { deviceListOperation } from './deviceList';

export const { option, properties, execute } = deviceListOperation({
	option: {
		name: 'Get Software',
		description: 'Software installed on a device (Software.Read.All)',
		action: 'Get software of a device',
		toolDescription:
			'Get software of a device: each installed product with vendor, version and weaknesses',
	},
	path: 'software',
	permission: 'Software.Read.All',
	limited: true,
});
