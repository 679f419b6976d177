import type { IDataObject } from 'n8n-workflow';

import { responseActionOperation } from './responseAction';
import {
	failedCommandDetail,
	liveResponseCommands,
	liveResponseResults,
	type SavedCommand,
} from '../../helpers/liveResponse';

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
	fields: [
		{
			displayName: 'Commands',
			name: 'commands',
			type: 'fixedCollection',
			typeOptions: { multipleValues: true, sortable: true },
			placeholder: 'Add Command',
			default: { command: [{ type: 'runScript', scriptName: '', args: '' }] },
			required: true,
			description: 'Run in this order in one session; if one fails, the ones after it do not run',
			options: [
				{
					displayName: 'Command',
					name: 'command',
					values: [
						{
							displayName: 'Arguments',
							name: 'args',
							type: 'string',
							default: '',
							placeholder: 'e.g. -Days 7',
							displayOptions: { show: { type: ['runScript'] } },
						},
						{
							displayName: 'File Name',
							name: 'fileName',
							type: 'string',
							default: '',
							placeholder: 'e.g. tool.exe',
							description: 'Name of the file in the live response library',
							displayOptions: { show: { type: ['putFile'] } },
						},
						{
							displayName: 'Path',
							name: 'path',
							type: 'string',
							default: '',
							placeholder: 'e.g. C:\\Windows\\Temp\\report.txt',
							description: 'Full path of the file on the device',
							displayOptions: { show: { type: ['getFile'] } },
						},
						{
							displayName: 'Script Name',
							name: 'scriptName',
							type: 'string',
							default: '',
							placeholder: 'e.g. collect.ps1',
							description: 'Name of the script in the live response library',
							displayOptions: { show: { type: ['runScript'] } },
						},
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
		},
	],
	body: (context, index) => {
		const saved = (context.getNodeParameter('commands.command', index, []) as SavedCommand[]) ?? [];
		return { Commands: liveResponseCommands(context, index, saved) as IDataObject[] };
	},
	afterWaitFields: [
		{
			displayName: 'Put Output Files in Field',
			name: 'binaryPropertyName',
			type: 'string',
			default: 'data',
			required: true,
			hint: 'Binary field of the first collected file; further files go into <field>_1, <field>_2, …',
		},
	],
	failureDetail: failedCommandDetail,
	async finish(index, session, action) {
		const binaryPropertyName =
			String(this.getNodeParameter('binaryPropertyName', index, 'data')).trim() || 'data';
		const { scripts, files, binary } = await liveResponseResults.call(
			this,
			session,
			action,
			binaryPropertyName,
		);
		return { json: { ...action, scripts, files }, ...(files.length > 0 ? { binary } : {}) };
	},
});
