import { deviceListOperation } from './deviceList';

export const { option, properties, execute } = deviceListOperation({
	option: {
		name: 'Get Logged-On Users',
		description: 'Users seen logged on to a device (User.Read.All)',
		action: 'Get logged-on users of a device',
		toolDescription: 'Get users logged on to a device: account names, domains and logon times',
	},
	path: 'logonusers',
	permission: 'User.Read.All',
});
