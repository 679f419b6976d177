import type { IBinaryKeyData, IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { downloadWithFreshLink } from '../transport/download';
import { defenderApiRequest, toNodeError, type ApiSession } from '../transport/request';

/**
 * A live response command as the node saves it: one entry of `commands.command[]` (node version 1, with
 * its `type`) or of `commands.putFile[]`, `commands.runScript[]`, `commands.getFile[]` (version 1.1). The
 * library names are resource locators since 1.1 and plain strings in workflows saved before.
 */
export interface SavedCommand {
	type?: string;
	fileName?: unknown;
	scriptName?: unknown;
	args?: string;
	path?: string;
}

/** The `commands` parameter in either of its saved shapes. */
export interface SavedCommands {
	command?: SavedCommand[];
	putFile?: SavedCommand[];
	runScript?: SavedCommand[];
	getFile?: SavedCommand[];
}

export type LiveResponseCommand = {
	type: 'PutFile' | 'RunScript' | 'GetFile';
	params: Array<{ key: string; value: string }>;
};

/**
 * The order Defender runs commands in: every PutFile, then every RunScript, then every GetFile
 * (defender-endpoint/api/run-live-response.md, Request body: "must be in this order with no limit on
 * repetitions").
 */
const COMMAND_ORDER = ['putFile', 'runScript', 'getFile'] as const;
type CommandKind = (typeof COMMAND_ORDER)[number];

const COMMAND_TYPES: Record<CommandKind, LiveResponseCommand['type']> = {
	putFile: 'PutFile',
	runScript: 'RunScript',
	getFile: 'GetFile',
};

const COMMAND_LABELS: Record<string, string> = {
	PutFile: 'Put File',
	RunScript: 'Run Script',
	GetFile: 'Get File',
};

/** A library name from a resource locator (`{ mode, value }`) or the plain string saved before it was one. */
function libraryName(value: unknown): string {
	const name =
		typeof value === 'object' && value !== null && 'value' in value
			? (value as { value: unknown }).value
			: value;
	return typeof name === 'string' ? name.trim() : '';
}

/**
 * The saved commands in the body's shape (`Commands`), checked before anything is sent: each names its
 * library file, script or device path. The per-type groups (version 1.1) go out in Defender's order
 * whatever order they were added in; a list saved by version 1 keeps its order and is refused, saying
 * why, when Defender would not accept it.
 */
export function liveResponseCommands(
	context: IExecuteFunctions,
	itemIndex: number,
	saved: SavedCommands,
): LiveResponseCommand[] {
	const fail = (message: string, description?: string) =>
		new NodeOperationError(context.getNode(), message, { itemIndex, description });
	const legacy = Array.isArray(saved.command);
	const entries: Array<{ kind: CommandKind | undefined; command: SavedCommand; position: string }> =
		legacy
			? (saved.command ?? []).map((command, index) => ({
					kind: COMMAND_ORDER.find((kind) => kind === command.type),
					command,
					position: `Command ${index + 1}`,
				}))
			: COMMAND_ORDER.flatMap((kind) =>
					(Array.isArray(saved[kind]) ? (saved[kind] ?? []) : []).map((command, index) => ({
						kind,
						command,
						position: `${COMMAND_LABELS[COMMAND_TYPES[kind]]} ${index + 1}`,
					})),
				);
	if (entries.length === 0)
		throw fail('Add at least one command (Put File, Run Script or Get File).');
	const commands = entries.map(({ kind, command, position }): LiveResponseCommand => {
		const text = (value: string | undefined) => (value ?? '').trim();
		const named =
			legacy && kind ? `${position} (${COMMAND_LABELS[COMMAND_TYPES[kind]]})` : position;
		switch (kind) {
			case 'putFile': {
				const fileName = libraryName(command.fileName);
				if (!fileName)
					throw fail(`${named}: pick or enter the name of a file in the live response library.`);
				return { type: 'PutFile', params: [{ key: 'FileName', value: fileName }] };
			}
			case 'runScript': {
				const scriptName = libraryName(command.scriptName);
				if (!scriptName)
					throw fail(`${named}: pick or enter the name of a script in the live response library.`);
				const args = text(command.args);
				return {
					type: 'RunScript',
					params: [
						{ key: 'ScriptName', value: scriptName },
						...(args ? [{ key: 'Args', value: args }] : []),
					],
				};
			}
			case 'getFile':
				if (!text(command.path))
					throw fail(
						`${named}: enter the full path of the file on the device, e.g. C:\\Windows\\Temp\\report.txt.`,
					);
				return { type: 'GetFile', params: [{ key: 'Path', value: text(command.path) }] };
			default:
				throw fail(
					`${position}: unknown command type "${String(command.type)}". Use Put File, Run Script or Get File.`,
				);
		}
	});
	const rank = (command: LiveResponseCommand) =>
		COMMAND_ORDER.findIndex((kind) => COMMAND_TYPES[kind] === command.type);
	const misplaced = commands.findIndex(
		(command, index) => index > 0 && rank(command) < rank(commands[index - 1]),
	);
	if (misplaced > 0) {
		const label = (command: LiveResponseCommand) => COMMAND_LABELS[command.type];
		throw fail(
			`Command ${misplaced + 1} (${label(commands[misplaced])}) comes after command ${misplaced} (${label(commands[misplaced - 1])}): Defender runs live response commands only in the order Put File, then Run Script, then Get File, and refuses any other order.`,
			'Drag the commands into that order (every Put File first, every Get File last). Nothing was sent.',
		);
	}
	return commands;
}

/**
 * Refuses, before the session is requested, a Put File or Run Script whose file is not in the live response
 * library. The library is read where the app may read it (Library.Manage); without that permission, or
 * with a library larger than one answer, Defender's own check at run time stays the only one.
 */
export async function checkLibraryFiles(
	this: IExecuteFunctions,
	session: ApiSession,
	commands: LiveResponseCommand[],
): Promise<void> {
	const wanted = commands
		.map((command, index) => ({ command, index }))
		.filter(({ command }) => command.type !== 'GetFile');
	if (wanted.length === 0) return;
	let answer: IDataObject;
	try {
		answer = await defenderApiRequest.call(this, session, {
			method: 'GET',
			path: '/api/libraryfiles',
			quota: 'endpoint',
			permission: 'Library.Manage',
		});
	} catch (error) {
		if (error instanceof NodeApiError && String(error.httpCode) === '403') return;
		throw toNodeError(this, error, session.itemIndex);
	}
	if (!Array.isArray(answer.value) || answer['@odata.nextLink']) return;
	const names = new Set(
		(answer.value as IDataObject[]).map((file) => String(file.fileName ?? '').toLowerCase()),
	);
	const missing = wanted.find(({ command }) => !names.has(command.params[0].value.toLowerCase()));
	if (!missing) return;
	const { command, index } = missing;
	const what = command.type === 'RunScript' ? 'Script' : 'File';
	throw new NodeOperationError(
		this.getNode(),
		`${what} ${command.params[0].value} is not in the live response library (command ${index + 1} of ${commands.length}, ${COMMAND_LABELS[command.type]}).`,
		{
			itemIndex: session.itemIndex,
			description:
				'Pick it from the list, or upload it first (Live Response Library → Upload). Nothing was sent to the device.',
		},
	);
}

/** Which command failed, and why, for the error of a session that ended Failed. */
export function failedCommandDetail(action: IDataObject): string {
	const commands = Array.isArray(action.commands) ? (action.commands as IDataObject[]) : [];
	const failedAt = commands.findIndex((command) => command.commandStatus === 'Failed');
	if (failedAt === -1) return '';
	const failed = commands[failedAt];
	const command = (failed.command ?? {}) as IDataObject;
	const params = Array.isArray(command.params)
		? (command.params as IDataObject[]).map((param) => String(param.value)).join(' ')
		: '';
	const errors =
		Array.isArray(failed.errors) && failed.errors.length > 0
			? `: ${(failed.errors as unknown[]).map(String).join('; ')}`
			: '';
	const later = commands.length - failedAt - 1;
	const type = COMMAND_LABELS[String(command.type)] ?? String(command.type);
	return `Command ${failedAt + 1} of ${commands.length} (${type} ${params}) failed${errors}${later > 0 ? `; the ${later === 1 ? 'command' : `${later} commands`} after it did not run` : ''}.`;
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

/** Longest script output quoted in an error's description; the whole output is in the partial item. */
const SUMMARY_OUTPUT_CHARS = 2_000;

/** What completed before a session failed, in words for the error's description. */
export function partialResultSummary(scripts: IDataObject[], files: IDataObject[]): string {
	const parts = [
		...scripts.map((script) => {
			const output = String(script.output ?? '');
			const shown =
				output.length > SUMMARY_OUTPUT_CHARS
					? `${output.slice(0, SUMMARY_OUTPUT_CHARS)}… (${output.length} characters)`
					: output;
			return `Run Script ${String(script.scriptName)} completed with exit code ${String(script.exitCode)}; output: ${JSON.stringify(shown)}${script.errors ? `; errors: ${JSON.stringify(String(script.errors))}` : ''}.`;
		}),
		...files.map(
			(file) =>
				`Get File ${String(file.path)} completed (${String(file.size)} bytes, ${String(file.fileName)}).`,
		),
	];
	return `Completed before the failure: ${parts.join(' ')} With Continue On Fail (Settings → On Error → Continue) the item carries these results${files.length > 0 ? ' and the files as binary data' : ''}.`;
}
