import type { IBinaryKeyData, IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { downloadWithFreshLink } from '../transport/download';
import { defenderApiRequest, type ApiSession } from '../transport/request';

/** A live response command as the node saves it (`commands.command[]`). */
export interface SavedCommand {
	type?: string;
	fileName?: string;
	scriptName?: string;
	args?: string;
	path?: string;
}

export type LiveResponseCommand = {
	type: 'PutFile' | 'RunScript' | 'GetFile';
	params: Array<{ key: string; value: string }>;
};

const COMMAND_TYPES: Record<string, LiveResponseCommand['type']> = {
	putFile: 'PutFile',
	runScript: 'RunScript',
	getFile: 'GetFile',
};

/**
 * The saved commands in the body's shape (`Commands`), in the order given, checked before anything is
 * sent: each names its library file, script or device path.
 */
export function liveResponseCommands(
	context: IExecuteFunctions,
	itemIndex: number,
	saved: SavedCommand[],
): LiveResponseCommand[] {
	const fail = (message: string) =>
		new NodeOperationError(context.getNode(), message, { itemIndex });
	if (saved.length === 0)
		throw fail('Add at least one command (Put File, Run Script or Get File).');
	return saved.map((command, index) => {
		const type = COMMAND_TYPES[command.type ?? ''];
		const text = (value: string | undefined) => (value ?? '').trim();
		const position = `Command ${index + 1}`;
		switch (type) {
			case 'PutFile':
				if (!text(command.fileName))
					throw fail(
						`${position} (Put File): enter the name of a file in the live response library.`,
					);
				return { type, params: [{ key: 'FileName', value: text(command.fileName) }] };
			case 'RunScript': {
				if (!text(command.scriptName))
					throw fail(
						`${position} (Run Script): enter the name of a script in the live response library.`,
					);
				const args = text(command.args);
				return {
					type,
					params: [
						{ key: 'ScriptName', value: text(command.scriptName) },
						...(args ? [{ key: 'Args', value: args }] : []),
					],
				};
			}
			case 'GetFile':
				if (!text(command.path))
					throw fail(
						`${position} (Get File): enter the full path of the file on the device, e.g. C:\\Windows\\Temp\\report.txt.`,
					);
				return { type, params: [{ key: 'Path', value: text(command.path) }] };
			default:
				throw fail(
					`${position}: unknown command type "${String(command.type)}". Use Put File, Run Script or Get File.`,
				);
		}
	});
}

/** Which command failed, and why, for the error of a session that ended Failed. */
export function failedCommandDetail(action: IDataObject): string {
	const commands = Array.isArray(action.commands) ? (action.commands as IDataObject[]) : [];
	const failed = commands.find((command) => command.commandStatus === 'Failed');
	if (!failed) return '';
	const command = (failed.command ?? {}) as IDataObject;
	const params = Array.isArray(command.params)
		? (command.params as IDataObject[]).map((param) => String(param.value)).join(' ')
		: '';
	const errors =
		Array.isArray(failed.errors) && failed.errors.length > 0
			? `: ${(failed.errors as unknown[]).map(String).join('; ')}`
			: '';
	return `Command ${Number(failed.index) + 1} (${String(command.type)} ${params}) failed${errors}; the commands after it did not run.`;
}

function fileNameOf(path: string): string {
	return path.split(/[\\/]/).filter(Boolean).pop() ?? 'file';
}

const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

export interface LiveResponseResults {
	scripts: IDataObject[];
	files: IDataObject[];
	binary: IBinaryKeyData;
}

/**
 * The results of a finished session: every Run Script's exit code, output and errors (its result file is
 * JSON), and every Get File as binary data — `binaryPropertyName`, then `_1`, `_2`… for further files.
 * Each result is downloaded from a fresh link (a link expires after 30 minutes).
 */
export async function liveResponseResults(
	this: IExecuteFunctions,
	session: ApiSession,
	action: IDataObject,
	binaryPropertyName: string,
): Promise<LiveResponseResults> {
	const itemIndex = session.itemIndex ?? 0;
	const commands = Array.isArray(action.commands) ? (action.commands as IDataObject[]) : [];
	const results: LiveResponseResults = { scripts: [], files: [], binary: {} };
	for (const entry of commands) {
		const command = (entry.command ?? {}) as IDataObject;
		const params = Array.isArray(command.params) ? (command.params as IDataObject[]) : [];
		const param = (key: string) =>
			String(params.find((p) => String(p.key).toLowerCase() === key.toLowerCase())?.value ?? '');
		const index = Number(entry.index);
		if (
			entry.commandStatus !== 'Completed' ||
			(command.type !== 'RunScript' && command.type !== 'GetFile')
		)
			continue;
		const what =
			command.type === 'RunScript'
				? `the result of script ${param('ScriptName')}`
				: `file ${param('Path')}`;
		const getLink = async () =>
			String(
				(
					await defenderApiRequest.call(this, session, {
						method: 'GET',
						path: `/api/machineactions/${encodeURIComponent(String(action.id))}/GetLiveResponseResultDownloadLink(index=${index})`,
						quota: 'endpoint',
						permission: 'Machine.Read.All',
						notFoundMessage: `Defender has no result for command ${index + 1} of live response action ${String(action.id)}.`,
					})
				).value ?? '',
			);
		const data = await downloadWithFreshLink.call(this, getLink, what, itemIndex);
		if (command.type === 'RunScript') {
			results.scripts.push({
				index,
				scriptName: param('ScriptName'),
				args: param('Args'),
				...scriptResult(data),
			});
			continue;
		}
		const key =
			results.files.length === 0
				? binaryPropertyName
				: `${binaryPropertyName}_${results.files.length}`;
		const zipped = data.subarray(0, 4).equals(ZIP_MAGIC) && !/\.zip$/i.test(param('Path'));
		const fileName = `${fileNameOf(param('Path'))}${zipped ? '.zip' : ''}`;
		results.binary[key] = await this.helpers.prepareBinaryData(
			data,
			fileName,
			zipped ? 'application/zip' : undefined,
		);
		results.files.push({
			index,
			path: param('Path'),
			binaryPropertyName: key,
			fileName,
			size: data.length,
		});
	}
	return results;
}

/** A Run Script result file: `{ script_name, exit_code, script_output, script_errors }`. */
function scriptResult(data: Buffer): IDataObject {
	try {
		const parsed = JSON.parse(data.toString('utf8')) as IDataObject;
		return {
			exitCode: parsed.exit_code ?? null,
			output: parsed.script_output ?? '',
			errors: parsed.script_errors ?? '',
		};
	} catch {
		return {
			exitCode: null,
			output: data.toString('utf8'),
			errors: 'The result file was not JSON; its text is in output.',
		};
	}
}
