import { PERMISSION } from './fields';
import { lookupOperation } from '../lookup';

export const { option, properties, execute } = lookupOperation({
	option: {
		name: 'Get Many',
		description: 'List the scripts and files of the library',
		action: 'Get many library files',
		toolDescription:
			'Get many live response library files: each script or file with name, description and uploader',
	},
	fields: [],
	answer: 'list',
	request() {
		return { path: '/api/libraryfiles', permission: PERMISSION };
	},
});
