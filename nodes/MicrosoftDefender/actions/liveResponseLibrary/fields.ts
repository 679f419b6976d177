import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { libraryFileLocator } from '../../descriptions/common';
import { locatorValue } from '../../helpers/parameters';
import { inputError } from '../lookup';

export const PERMISSION = 'Library.Manage';

const libraryFile = libraryFileLocator({
	displayName: 'File Name',
	name: 'fileName',
	placeholder: 'e.g. collect.ps1',
	description: 'Name of the file in the live response library',
});

/** The mode `id` ("By ID") stays after By Name for workflows saved with it; a library file's ID is its name. */
export const fileNameField: INodeProperties = {
	...libraryFile,
	modes: [
		...(libraryFile.modes ?? []),
		{ displayName: 'By ID', name: 'id', type: 'string', placeholder: 'e.g. collect.ps1' },
	],
};

export function fileNameFrom(context: IExecuteFunctions, index: number): string {
	const fileName = locatorValue(context, 'fileName', index);
	if (fileName === '' || /[\\/]/.test(fileName))
		throw inputError(
			context,
			index,
			`File Name "${fileName}" is not a library file name. Enter a name without folders, e.g. collect.ps1.`,
		);
	return fileName;
}
