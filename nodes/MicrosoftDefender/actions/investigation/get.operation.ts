import { investigationIdField, PERMISSION } from './fields';
import { inputError, lookupOperation } from '../lookup';
import { locatorValue } from '../../helpers/parameters';

export const { option, properties, execute } = lookupOperation({
	option: {
		name: 'Get',
		description: 'Get an automated investigation',
		action: 'Get an automated investigation',
		toolDescription: 'Get an automated investigation by its ID: state, device, start and end times',
	},
	fields: [investigationIdField],
	answer: 'record',
	request(index) {
		const id = locatorValue(this, 'investigationId', index);
		if (id === '')
			throw inputError(
				this,
				index,
				'Investigation ID is empty. Enter the investigation ID or the ID of the alert that triggered it.',
			);
		return {
			path: `/api/investigations/${encodeURIComponent(id)}`,
			permission: PERMISSION,
			notFoundMessage: `Investigation ${id} not found (neither as investigation ID nor as triggering alert ID).`,
		};
	},
});
