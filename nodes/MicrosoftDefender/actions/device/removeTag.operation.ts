import { tagOperation } from './tag';

export const { option, properties, execute } = tagOperation('Remove', {
	name: 'Remove Tag',
	description: 'Remove a tag from a device',
	action: 'Remove a tag from a device (changes state)',
});
