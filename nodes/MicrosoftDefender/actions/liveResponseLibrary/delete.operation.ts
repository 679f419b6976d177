import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { fileNameField, fileNameFrom, PERMISSION } from './fields';
import type { OperationOption } from '../node.type';
import { optionsWithTenant } from '../../descriptions/common';
import { endpointSessionFor } from '../../helpers/parameters';
import { defenderApiRequest } from '../../transport/request';

export const properties: INodeProperties[] = [fileNameField, optionsWithTenant];

export const option: OperationOption = {
	name: 'Delete',
	description: 'Delete a file from the library. Changes state.',
	action: 'Delete a library file',
	toolDescription: 'Delete a live response library file (changes state)',
};

export async function execute(
	this: IExecuteFunctions,
	index: number,
): Promise<INodeExecutionData[]> {
	const session = endpointSessionFor(this, index);
	const fileName = fileNameFrom(this, index);
	await defenderApiRequest.call(this, session, {
		method: 'DELETE',
		path: `/api/libraryfiles/${encodeURIComponent(fileName)}`,
		quota: 'endpoint',
		permission: PERMISSION,
		idempotent: true,
		notFoundMessage: `The live response library has no file named ${fileName}.`,
	});
	return [{ json: { fileName, deleted: true }, pairedItem: { item: index } }];
}
