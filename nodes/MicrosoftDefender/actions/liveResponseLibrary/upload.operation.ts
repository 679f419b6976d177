import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { PERMISSION } from './fields';
import type { OperationOption } from '../node.type';
import { optionsCollection, requestTimeoutOption, tenantIdOption } from '../../descriptions/common';
import { endpointSessionFor } from '../../helpers/parameters';
import { multipartBody, type FormPart } from '../../helpers/multipart';
import { defenderApiRequest, toNodeError } from '../../transport/request';
import { inputError } from '../lookup';

/** Microsoft's limit per library file. */
const MAX_BYTES = 20 * 1024 * 1024;

export const properties: INodeProperties[] = [
	{
		displayName: 'Input Binary Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		hint: 'The name of the input binary field holding the file to upload (at most 20 MB)',
	},
	{
		displayName: 'Description',
		name: 'description',
		type: 'string',
		default: '',
		required: true,
		description: 'What the file or script does; shown in the library',
	},
	optionsCollection([
		{
			displayName: 'File Name',
			name: 'fileName',
			type: 'string',
			default: '',
			description: "Name in the library; by default the binary data's file name",
		},
		{
			displayName: 'Parameters Description',
			name: 'parametersDescription',
			type: 'string',
			default: '',
			placeholder: 'e.g. -Days <number of days to collect>',
			description: 'The arguments the script takes; marks the script as taking parameters',
		},
		{
			displayName: 'Replace If Exists',
			name: 'overrideIfExists',
			type: 'boolean',
			default: false,
			description: 'Whether to replace a library file of the same name',
		},
		requestTimeoutOption,
		tenantIdOption,
	]),
];

export const option: OperationOption = {
	name: 'Upload',
	description: 'Upload a script or file from binary data. Changes state.',
	action: 'Upload a library file',
	toolDescription: 'Upload a live response library file (changes state)',
};

export async function execute(
	this: IExecuteFunctions,
	index: number,
): Promise<INodeExecutionData[]> {
	const session = endpointSessionFor(this, index);
	const binaryPropertyName = String(
		this.getNodeParameter('binaryPropertyName', index, 'data'),
	).trim();
	const binary = this.helpers.assertBinaryData(index, binaryPropertyName);
	const data = await this.helpers.getBinaryDataBuffer(index, binaryPropertyName);
	const fileName = String(
		this.getNodeParameter('options.fileName', index, '') || binary.fileName || '',
	).trim();
	if (fileName === '' || /[\\/]/.test(fileName))
		throw inputError(
			this,
			index,
			'The file has no usable name. Set Options → File Name, e.g. collect.ps1.',
		);
	if (data.length > MAX_BYTES)
		throw inputError(
			this,
			index,
			`${fileName} is ${(data.length / 1048576).toFixed(1)} MB; the live response library takes files of at most 20 MB.`,
		);
	const fileDescription = String(this.getNodeParameter('description', index, '')).trim();
	if (fileDescription === '')
		throw inputError(
			this,
			index,
			'Description is empty. Defender requires a description for every library file.',
		);
	const parametersDescription = String(
		this.getNodeParameter('options.parametersDescription', index, ''),
	).trim();
	const replace = this.getNodeParameter('options.overrideIfExists', index, false) === true;
	const parts: FormPart[] = [
		{ name: 'File', fileName, data, contentType: binary.mimeType || undefined },
		{ name: 'Description', value: fileDescription },
		{ name: 'HasParameters', value: String(parametersDescription !== '') },
		...(parametersDescription
			? [{ name: 'ParametersDescription', value: parametersDescription }]
			: []),
		{ name: 'OverrideIfExists', value: String(replace) },
	];
	const { body, contentType } = multipartBody(parts);
	let file;
	try {
		file = await defenderApiRequest.call(this, session, {
			method: 'POST',
			path: '/api/libraryfiles',
			body,
			headers: { 'content-type': contentType },
			quota: 'endpoint',
			permission: PERMISSION,
		});
	} catch (error) {
		// Defender names its form field (OverrideIfExists); the user sees the option Replace If Exists.
		if (
			!replace &&
			error instanceof NodeApiError &&
			String(error.httpCode) === '400' &&
			/exist/i.test(`${error.message} ${error.description ?? ''}`)
		)
			throw inputError(
				this,
				index,
				`A file named ${fileName} is already in the live response library. Turn on Options → Replace If Exists to replace it, or set Options → File Name to another name.`,
			);
		throw toNodeError(this, error, index);
	}
	delete file['@odata.context'];
	return [{ json: file, pairedItem: { item: index } }];
}
