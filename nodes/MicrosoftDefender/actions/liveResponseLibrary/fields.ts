import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { listLocator } from '../../descriptions/common';
import { locatorValue } from '../../helpers/parameters';
import { inputError } from '../lookup';

export const PERMISSION = 'Library.Manage';

export const fileNameField: INodeProperties = listLocator({
	displayName: 'File Name',
	name: 'fileName',
	searchListMethod: 'searchLibraryFiles',
	placeholder: 'e.g. collect.ps1',
	description: 'Name of the file in the live response library',
});

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
