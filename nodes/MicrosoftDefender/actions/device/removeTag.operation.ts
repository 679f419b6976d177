import { tagOperation } from './tag';

export const { option, properties, execute } = tagOperation('Remove', {
	name: 'Remove Tag',
	description: 'Remove a tag from a device. Changes state.',
	action: 'Remove a tag from a device',
	toolDescription: 'Remove a tag from a device (changes state)',
});
