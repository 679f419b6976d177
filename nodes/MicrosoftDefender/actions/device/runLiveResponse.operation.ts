import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { responseActionOperation } from './responseAction';
import { libraryFileLocator } from '../../descriptions/common';
import {
	checkLibraryFiles,
	failedCommandDetail,
	liveResponseCommands,
	liveResponseResults,
	partialResultSummary,
	type LiveResponseCommand,
	type SavedCommands,
} from '../../helpers/liveResponse';
import { PartialResultError } from '../../transport/errors';

const scriptNameField: INodeProperties = libraryFileLocator({
	displayName: 'Script Name',
	name: 'scriptName',
	description: 'The script in the live response library',
	placeholder: 'e.g. collect.ps1',
});

const argumentsField: INodeProperties = {
	displayName: 'Arguments',
	name: 'args',
	type: 'string',
	default: '',
	placeholder: 'e.g. -Days 7',
	description: 'Passed to the script as they are',
};

const putFileNameField: INodeProperties = libraryFileLocator({
	displayName: 'File Name',
	name: 'fileName',
	description: 'The file in the live response library to copy to the device',
	placeholder: 'e.g. tool.exe',
});

const pathField: INodeProperties = {
	displayName: 'Path',
	name: 'path',
	type: 'string',
	default: '',
	required: true,
	placeholder: 'e.g. C:\\Windows\\Temp\\report.txt',
	description: 'Full path of the file on the device',
};

/** Node version 1.1: one group per command type, sent in the order Defender requires. */
const commandsByType: INodeProperties = {
	displayName: 'Commands',
	name: 'commands',
	type: 'fixedCollection',
	typeOptions: { multipleValues: true },
	placeholder: 'Add Command',
	default: {},
	required: true,
	description:
		'Run in one session, in the order Defender requires: every Put File, then every Run Script, then every Get File (each in the order listed). If one fails, the ones after it do not run.',
	displayOptions: { show: { '@version': [1.1] } },
	options: [
		{
			displayName: 'Put File',
			name: 'putFile',
			values: [putFileNameField],
		},
		{
			displayName: 'Run Script',
			name: 'runScript',
			// The script first, its arguments under it (fewer than five fields: n8n's lint leaves the order).
			values: [scriptNameField, argumentsField],
		},
		{
			displayName: 'Get File',
			name: 'getFile',
			values: [pathField],
		},
	],
};

/**
 * Node version 1: one list with a Type per command, kept so that saved workflows open and run as saved
 * (in an order Defender refuses, they are refused before sending, naming the order it needs).
 */
const commandList: INodeProperties = {
	displayName: 'Commands',
	name: 'commands',
	type: 'fixedCollection',
	typeOptions: { multipleValues: true, sortable: true },
	placeholder: 'Add Command',
	default: { command: [{ type: 'runScript', scriptName: '', args: '' }] },
	required: true,
	description:
		'Run in this order in one session; Defender requires every Put File first, then Run Script, then Get File. If one fails, the ones after it do not run.',
	displayOptions: { show: { '@version': [1] } },
	options: [
		{
			displayName: 'Command',
			name: 'command',
			values: [
				{ ...argumentsField, displayOptions: { show: { type: ['runScript'] } } },
				{ ...putFileNameField, displayOptions: { show: { type: ['putFile'] } } },
				{ ...pathField, displayOptions: { show: { type: ['getFile'] } } },
				{ ...scriptNameField, displayOptions: { show: { type: ['runScript'] } } },
				{
					displayName: 'Type',
					name: 'type',
					type: 'options',
					options: [
						{
							name: 'Get File',
							value: 'getFile',
							description: 'Collect a file from the device (output as binary data)',
						},
						{
							name: 'Put File',
							value: 'putFile',
							description: 'Copy a file from the live response library to the device',
						},
						{
							name: 'Run Script',
							value: 'runScript',
							description: 'Run a script from the live response library',
						},
					],
					default: 'runScript',
				},
			],
		},
	],
};

export const { option, properties, execute } = responseActionOperation({
	option: {
		name: 'Run Live Response',
		description:
			'Put files, run library scripts and collect files on a device (Machine.LiveResponse). Changes state: a response action.',
		action: 'Run live response on a device',
		toolDescription:
			'Run live response on a device (changes state: puts files, runs scripts, collects files)',
	},
	path: 'runliveresponse',
	type: 'LiveResponse',
	label: 'live response',
	permission: 'Machine.LiveResponse',
	quota: 'liveResponse',
	noReturnRunning: true,
	busyHint:
		'Defender allows one live response session per device, including one opened in the portal. Wait for it (Action Center → Get), cancel it (Action Center → Cancel) or close it in the portal, then run the item again.',
	fields: [commandsByType, commandList],
	body: (context, index) => {
		const saved = (context.getNodeParameter('commands', index, {}) as SavedCommands) ?? {};
		return { Commands: liveResponseCommands(context, index, saved) as IDataObject[] };
	},
	async beforeSend(_index, session, body) {
		await checkLibraryFiles.call(this, session, body.Commands as LiveResponseCommand[]);
	},
	noWaitNotice:
		'Without Wait for Completion the output is the Pending action: no script output and no collected file. Turn it on to get them.',
	afterWaitFields: [
		{
			displayName: 'Put Output Files in Field',
			name: 'binaryPropertyName',
			type: 'string',
			default: 'data',
			required: true,
			hint: 'Binary field of the first collected file; further files go into the same name followed by _1, _2, …',
		},
	],
	failureDetail: failedCommandDetail,
	async onFailure(index, session, action, error) {
		let results;
		try {
			results = await liveResponseResults.call(
				this,
				session,
				action,
				binaryPropertyNameOf(this.getNodeParameter('binaryPropertyName', index, 'data')),
			);
		} catch (cause) {
			error.description = `${error.description ?? ''} The results of the commands that completed could not be read: ${(cause as Error).message}`;
			return error;
		}
		const { scripts, files, binary } = results;
		if (scripts.length === 0 && files.length === 0) return error;
		return new PartialResultError(
			this.getNode(),
			error.message,
			{
				itemIndex: index,
				description: `${error.description ?? ''} ${partialResultSummary(scripts, files)}`.trim(),
			},
			{ json: { ...action, scripts, files }, ...(files.length > 0 ? { binary } : {}) },
		);
	},
	async finish(index, session, action, shape) {
		const { scripts, files, binary } = await liveResponseResults.call(
			this,
			session,
			action,
			binaryPropertyNameOf(this.getNodeParameter('binaryPropertyName', index, 'data')),
		);
		return { json: { ...shape(action), scripts, files }, ...(files.length > 0 ? { binary } : {}) };
	},
});

function binaryPropertyNameOf(value: unknown): string {
	return String(value ?? 'data').trim() || 'data';
}
