import { tagOperation } from './tag';

export const { option, properties, execute } = tagOperation('Add', {
	name: 'Add Tag',
	description: 'Add a tag to a device. Changes state.',
	action: 'Add a tag to a device',
	toolDescription: 'Add a tag to a device (changes state)',
});
