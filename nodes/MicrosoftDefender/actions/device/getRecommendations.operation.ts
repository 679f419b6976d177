import { deviceListOperation } from './deviceList';

export const { option, properties, execute } = deviceListOperation({
	option: {
		name: 'Get Recommendations',
		description: 'Security recommendations for a device (SecurityRecommendation.Read.All)',
		action: 'Get recommendations for a device',
		toolDescription:
			'Get recommendations for a device: each security recommendation with severity and status',
	},
	path: 'recommendations',
	permission: 'SecurityRecommendation.Read.All',
	limited: true,
});
