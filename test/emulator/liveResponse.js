// @ts-check
'use strict';
// Defender for Endpoint live response (runliveresponse, the library, result download links) and the
// investigation package link, with the files behind those links served like Azure Blob SAS URLs
// under /blob (no bearer token; a link expires).
const crypto = require('node:crypto');
const { HttpError, toApiTime, prop, requiredText, zipStore } = require('./util');

/**
 * @typedef {{ fileName: string, sha256: string, description: string, creationTime: string, lastUpdatedTime: string,
 *   createdBy: string, hasParameters: boolean, parametersDescription: string | null, content: Buffer }} LibraryFile
 * @typedef {{ exit_code: number, script_output: string, script_errors: string }} ScriptResult
 * @typedef {{ tenantId: string, data: Buffer, contentType: string, expiresMs: number }} Blob
 * @typedef {import('./index').RouteContext} RouteContext
 */

const COMMAND_PARAMS = /** @type {Record<string, { required: string, optional?: string }>} */ ({
	PutFile: { required: 'FileName' },
	RunScript: { required: 'ScriptName', optional: 'Args' },
	GetFile: { required: 'Path' },
});
const MAX_SESSIONS = 25;
const MAX_LIBRARY_FILE = 20 * 1024 * 1024;
const DEFAULT_LINK_LIFETIME_MS = 30 * 60_000;
const READ = ['Machine.Read.All', 'Machine.ReadWrite.All'];

/**
 * @param {{ url: string, apiBases: Record<'mde', string>, getTenant: (idOrDomain: string) => { id: string },
 *   machines: ReturnType<typeof import('./machines').createMachines> }} options
 */
function createLiveResponse({ url, apiBases, getTenant, machines }) {
	/** @type {Map<string, { library: Map<string, LibraryFile>, files: Map<string, Buffer>, scripts: Map<string, ScriptResult>,
	 *   results: Map<string, (Buffer | null)[]>, packages: Map<string, Buffer> }>} */
	const stores = new Map();
	/** @type {Map<string, Blob>} */
	const blobs = new Map();
	let linkLifetimeMs = DEFAULT_LINK_LIFETIME_MS;
	let expiredLinks = 0;

	/** @param {string} tenantIdOrDomain */
	function storeOf(tenantIdOrDomain) {
		const tenantId = getTenant(tenantIdOrDomain).id;
		let store = stores.get(tenantId);
		if (!store) {
			store = {
				library: new Map(),
				files: new Map(),
				scripts: new Map(),
				results: new Map(),
				packages: new Map(),
			};
			stores.set(tenantId, store);
		}
		return store;
	}

	const fileKey = (/** @type {string} */ machineId, /** @type {string} */ path) =>
		`${machineId.toLowerCase()}|${path.toLowerCase()}`;

	// ---- control functions ----

	/**
	 * Adds or replaces a library file (as the portal's upload would).
	 * @param {string} tenantId @param {{ fileName: string, content: string, description?: string, hasParameters?: boolean, parametersDescription?: string }} spec
	 */
	function addLibraryFile(
		tenantId,
		{ fileName, content, description = '', hasParameters = false, parametersDescription },
	) {
		const file = libraryRecord(
			fileName,
			Buffer.from(content, 'utf8'),
			description,
			hasParameters,
			parametersDescription ?? null,
			'admin@contoso.example',
		);
		storeOf(tenantId).library.set(fileName.toLowerCase(), file);
		return describe(file);
	}

	/** @param {string} tenantId the library without contents, in upload order */
	function listLibraryFiles(tenantId) {
		return [...storeOf(tenantId).library.values()].map(describe);
	}

	/** A file on a device, for GetFile. @param {string} tenantId @param {string} machineId @param {string} path @param {string} content */
	function setDeviceFile(tenantId, machineId, path, content) {
		storeOf(tenantId).files.set(fileKey(machineId, path), Buffer.from(content, 'utf8'));
	}

	/** What a library script prints when RunScript runs it. @param {string} tenantId @param {string} scriptName @param {Partial<ScriptResult>} result */
	function setScriptResult(
		tenantId,
		scriptName,
		{ exit_code = 0, script_output = '', script_errors = '' },
	) {
		storeOf(tenantId).scripts.set(scriptName.toLowerCase(), {
			exit_code,
			script_output,
			script_errors,
		});
	}

	/**
	 * How long new download links stay valid; `expireNext` links from now on are issued already expired.
	 * @param {{ lifetimeMs?: number, expireNext?: number }} spec
	 */
	function setLinkLifetime({ lifetimeMs = DEFAULT_LINK_LIFETIME_MS, expireNext = 0 } = {}) {
		linkLifetimeMs = lifetimeMs;
		expiredLinks = expireNext;
		return { lifetimeMs, expireNext };
	}

	/** The ZIP an investigation package action collects (readable once the action succeeded). @param {string} tenantId @param {string} actionId */
	function investigationPackage(tenantId, actionId) {
		return storeOf(tenantId).packages.get(actionId.toLowerCase())?.toString('base64') ?? null;
	}

	// ---- helpers ----

	/**
	 * @param {string} fileName @param {Buffer} content @param {string} description @param {boolean} hasParameters
	 * @param {string | null} parametersDescription @param {string} createdBy
	 * @returns {LibraryFile}
	 */
	function libraryRecord(
		fileName,
		content,
		description,
		hasParameters,
		parametersDescription,
		createdBy,
	) {
		const now = toApiTime();
		return {
			fileName,
			sha256: crypto.createHash('sha256').update(content).digest('hex'),
			description,
			creationTime: now,
			lastUpdatedTime: now,
			createdBy,
			hasParameters,
			parametersDescription,
			content,
		};
	}

	/** @param {LibraryFile} file */
	function describe(file) {
		const { content, ...rest } = file;
		return { ...rest };
	}

	/** A SAS-style link to `data`; it names the tenant so that the request log can attribute the download. @param {string} tenantId @param {Buffer} data @param {string} name @param {string} contentType */
	function link(tenantId, data, name, contentType) {
		const token = crypto.randomBytes(16).toString('hex');
		const expired = expiredLinks > 0;
		if (expired) expiredLinks--;
		const expiresMs = expired ? Date.now() - 1000 : Date.now() + linkLifetimeMs;
		blobs.set(token, { tenantId, data, contentType, expiresMs });
		const query = new URLSearchParams({
			sv: '2021-08-06',
			se: new Date(expiresMs).toISOString().replace(/\.\d+Z$/, 'Z'),
			sr: 'b',
			sp: 'r',
			sig: crypto.randomBytes(32).toString('base64'),
		});
		return `${url}/blob/${tenantId}/${token}/${encodeURIComponent(name)}?${query}`;
	}

	/**
	 * Serves a link: 403 AuthenticationFailed (XML, as Azure Storage) once it has expired; a bearer token on
	 * a SAS link is refused, so that a test notices a token sent to the wrong host.
	 * @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res @param {URL} reqUrl
	 */
	function serveBlob(req, res, reqUrl) {
		const [, , , token] = reqUrl.pathname.split('/');
		const blob = blobs.get(token ?? '');
		const xmlError = (
			/** @type {number} */ status,
			/** @type {string} */ code,
			/** @type {string} */ message,
		) => {
			res.writeHead(status, { 'content-type': 'application/xml', 'x-ms-error-code': code });
			res.end(
				`<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${message}\nRequestId:${crypto.randomUUID()}\nTime:${new Date().toISOString()}</Message></Error>`,
			);
		};
		if (req.headers.authorization)
			return xmlError(
				400,
				'InvalidAuthenticationInfo',
				'Authentication information is not given in the correct format.',
			);
		if (!blob || reqUrl.searchParams.get('sig') === null)
			return xmlError(404, 'BlobNotFound', 'The specified blob does not exist.');
		if (Date.now() >= blob.expiresMs) {
			return xmlError(
				403,
				'AuthenticationFailed',
				`Server failed to authenticate the request. Signature not valid in the specified time frame: Expiry [${new Date(blob.expiresMs).toUTCString()}] - Current [${new Date().toUTCString()}]`,
			);
		}
		res.writeHead(200, {
			'content-type': blob.contentType,
			'content-length': String(blob.data.length),
			'x-ms-blob-type': 'BlockBlob',
		});
		res.end(blob.data);
	}

	/** The blob's tenant, for the request log. @param {string} pathname */
	const tenantOfBlob = (pathname) => pathname.split('/')[2] ?? null;

	/**
	 * Checks a Commands array the way the service documents it and works out, per command, the file it
	 * produces; the first command that cannot run (a library file or device path that does not exist) fails.
	 * @param {RouteContext} ctx @param {{ id: string }} machine @param {unknown} commands
	 */
	function planCommands(ctx, machine, commands) {
		if (commands === undefined || commands === null)
			throw new HttpError(400, 'MissingRequiredParameter', 'Parameter Commands is missing');
		if (!Array.isArray(commands) || commands.length === 0)
			throw new HttpError(400, 'InvalidRequestBody', 'Commands must be a non-empty array');
		const store = storeOf(ctx.tenantId);
		/** @type {(Buffer | null)[]} */
		const results = [];
		let failedCommand = /** @type {number | null} */ (null);
		let lastRank = 0;
		const normalized = commands.map((command, index) => {
			const type = Object.keys(COMMAND_PARAMS).find(
				(name) => name.toLowerCase() === String(prop(command, 'type')).toLowerCase(),
			);
			if (!type)
				throw new HttpError(
					400,
					'InvalidRequestBody',
					`Command ${index}: type must be one of ${Object.keys(COMMAND_PARAMS).join(', ')}`,
				);
			const params = prop(command, 'params');
			if (!Array.isArray(params))
				throw new HttpError(
					400,
					'InvalidRequestBody',
					`Command ${index} (${type}): params must be an array of { key, value }`,
				);
			const valueOf = (/** @type {string} */ key) => {
				const entry = params.find(
					(p) => String(prop(p, 'key')).toLowerCase() === key.toLowerCase(),
				);
				const value = prop(entry, 'value');
				return typeof value === 'string' ? value : undefined;
			};
			const spec = COMMAND_PARAMS[type];
			const main = valueOf(spec.required);
			if (!main)
				throw new HttpError(
					400,
					'MissingRequiredParameter',
					`Command ${index} (${type}): parameter ${spec.required} is missing`,
				);
			const cleanParams = [
				{ key: spec.required, value: main },
				...(spec.optional && valueOf(spec.optional) !== undefined
					? [{ key: spec.optional, value: String(valueOf(spec.optional)) }]
					: []),
			];
			let result = null;
			let runs = true;
			if (type === 'GetFile') {
				const content = store.files.get(fileKey(machine.id, main));
				runs = content !== undefined;
				if (content)
					result = zipStore([{ name: main.split(/[\\/]/).pop() ?? 'file', data: content }]);
			} else {
				runs = store.library.has(main.toLowerCase());
				if (type === 'RunScript' && runs) {
					const args = valueOf('Args') ?? '';
					const scripted = store.scripts.get(main.toLowerCase()) ?? {
						exit_code: 0,
						script_output: `${main} ran${args ? ` with ${args}` : ''}`,
						script_errors: '',
					};
					result = Buffer.from(JSON.stringify({ script_name: main, ...scripted }), 'utf8');
				}
			}
			// run-live-response.md: "PutFile, RunScript, GetFile (must be in this order …)".
			const rank = Object.keys(COMMAND_PARAMS).indexOf(type);
			if (rank < lastRank)
				throw new HttpError(
					400,
					'InvalidRequestBody',
					`Command ${index} (${type}): commands must be in the order PutFile, RunScript, GetFile`,
				);
			lastRank = rank;
			if (!runs && failedCommand === null) failedCommand = index;
			results.push(result);
			return { type, params: cleanParams };
		});
		return { commands: normalized, results, failedCommand };
	}

	/**
	 * A multipart/form-data body as fields; a part with a filename keeps its bytes.
	 * @param {Buffer} body @param {string | undefined} contentType
	 */
	function parseMultipart(body, contentType) {
		const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType ?? '');
		if (!/^multipart\/form-data/i.test(contentType ?? '') || !boundary)
			throw new HttpError(400, 'InvalidRequestBody', 'Expected a multipart/form-data body');
		const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
		/** @type {Record<string, { value: string, data: Buffer, filename?: string }>} */
		const fields = {};
		let start = body.indexOf(delimiter);
		while (start !== -1) {
			const next = body.indexOf(delimiter, start + delimiter.length);
			if (next === -1) break;
			const part = body.subarray(start + delimiter.length + 2, next - 2);
			const split = part.indexOf('\r\n\r\n');
			const head = part.subarray(0, split).toString('utf8');
			const data = part.subarray(split + 4);
			const name = /name="([^"]*)"/i.exec(head)?.[1];
			const filename = /filename="([^"]*)"/i.exec(head)?.[1];
			if (name) fields[name.toLowerCase()] = { value: data.toString('utf8'), data, filename };
			start = next;
		}
		return fields;
	}

	// ---- API routes ----

	/** @type {import('./index').Route[]} */
	const routes = [
		{
			api: 'mde',
			method: 'POST',
			path: /^\/api\/machines\/([^/]+)\/runliveresponse$/i,
			category: 'liveResponse',
			roles: ['Machine.LiveResponse'],
			handle: async (ctx) => {
				const machine = machines.find(ctx.tenantId, ctx.params[0]);
				const body = await ctx.body();
				const comment = requiredText(body, 'Comment');
				const plan = planCommands(ctx, machine, prop(body, 'Commands'));
				const running = machines
					.listMachineActions(ctx.tenantId)
					.filter(
						(a) =>
							a.type === 'LiveResponse' && (a.status === 'Pending' || a.status === 'InProgress'),
					);
				if (running.some((a) => a.machineId === machine.id))
					throw new HttpError(400, 'ActiveRequestAlreadyExists', 'Action is already in progress');
				if (running.length >= MAX_SESSIONS)
					throw new HttpError(
						429,
						'TooManyRequests',
						`Too many live response sessions: at most ${MAX_SESSIONS} at once`,
						{ 'retry-after': '30' },
					);
				const action = machines.createAction(ctx, machine, {
					type: 'LiveResponse',
					comment,
					commands: plan.commands,
					failedCommand: plan.failedCommand,
				});
				storeOf(ctx.tenantId).results.set(action.id, plan.results);
			},
		},
		{
			api: 'mde',
			method: 'GET',
			path: /^\/api\/machineactions\/([^/]+)\/GetLiveResponseResultDownloadLink(?:\(|%28)index=(\d+)(?:\)|%29)$/i,
			category: 'mde',
			roles: READ,
			handle: (ctx) => {
				const { action, status } = machines.actionState(ctx.tenantId, ctx.params[0]);
				const index = Number(ctx.params[1]);
				if (action.type !== 'LiveResponse')
					throw new HttpError(
						400,
						'InvalidRequestBody',
						`Machine action ${action.id} is not a live response action`,
					);
				if (index >= action.commands.length)
					throw new HttpError(
						404,
						'NotFound',
						`Command index ${index} not found: the action has ${action.commands.length} commands`,
					);
				const ran =
					status === 'Succeeded' ||
					(status === 'Failed' && action.failedCommand !== null && index < action.failedCommand);
				const data = storeOf(ctx.tenantId).results.get(action.id)?.[index];
				if (!ran || !data)
					throw new HttpError(
						404,
						'NotFound',
						`No result for command ${index} of action ${action.id} (action status ${status})`,
					);
				const command = action.commands[index];
				const name =
					command.type === 'RunScript'
						? `${command.params[0].value}.json`
						: `${command.params[0].value.split(/[\\/]/).pop()}.zip`;
				return {
					'@odata.context': `${apiBases.mde}/api/$metadata#Edm.String`,
					value: link(ctx.tenantId, data, name, 'application/octet-stream'),
				};
			},
		},
		{
			api: 'mde',
			method: 'GET',
			path: /^\/api\/machineactions\/([^/]+)\/GetPackageUri$/i,
			category: 'packageLink',
			roles: READ,
			handle: (ctx) => {
				const { action, status } = machines.actionState(ctx.tenantId, ctx.params[0]);
				if (action.type !== 'CollectInvestigationPackage' || status !== 'Succeeded')
					throw new HttpError(
						404,
						'NotFound',
						`Investigation package for action ${action.id} not found`,
					);
				const store = storeOf(ctx.tenantId);
				let zip = store.packages.get(action.id);
				if (!zip) {
					const text = (/** @type {string} */ s) => Buffer.from(s, 'utf8');
					zip = zipStore([
						{
							name: 'Processes/processes.csv',
							data: text(`ProcessName,PID\nsvchost.exe,812\nexplorer.exe,4120\n`),
						},
						{
							name: 'Network connections/ActiveNetConnections.txt',
							data: text(`TCP 10.0.0.5:49712 203.0.113.7:443 ESTABLISHED\n`),
						},
						{
							name: 'Autoruns/Run.txt',
							data: text(
								`OneDrive C:\\Program Files\\Microsoft OneDrive\\OneDrive.exe /background\n`,
							),
						},
						{ name: 'Machine.txt', data: text(`${action.computerDnsName}\n${action.machineId}\n`) },
					]);
					store.packages.set(action.id, zip);
				}
				// The documented answer wraps the URL in escaped quotes.
				return {
					'@odata.context': `${apiBases.mde}/api/$metadata#Edm.String`,
					value: `"${link(ctx.tenantId, zip, 'WDATP_Investigation_Package.zip', 'application/zip')}"`,
				};
			},
		},
		{
			api: 'mde',
			method: 'GET',
			path: /^\/api\/libraryfiles\/?$/i,
			category: 'mde',
			roles: ['Library.Manage'],
			handle: (ctx) => ({
				'@odata.context': `${apiBases.mde}/api/$metadata#LibraryFiles`,
				value: listLibraryFiles(ctx.tenantId),
			}),
		},
		{
			api: 'mde',
			method: 'POST',
			path: /^\/api\/libraryfiles\/?$/i,
			category: 'mde',
			roles: ['Library.Manage'],
			handle: async (ctx) => {
				const fields = parseMultipart(
					await ctx.raw(MAX_LIBRARY_FILE + 1_000_000),
					ctx.headers['content-type'],
				);
				const file = fields.file;
				if (!file?.filename)
					throw new HttpError(400, 'MissingRequiredParameter', 'Parameter File is missing');
				if (file.data.length > MAX_LIBRARY_FILE)
					throw new HttpError(400, 'InvalidRequestBody', 'The file is larger than 20 MB');
				const description = fields.description?.value ?? '';
				if (description === '')
					throw new HttpError(400, 'MissingRequiredParameter', 'Parameter Description is missing');
				const flag = (/** @type {string} */ name) =>
					(fields[name]?.value ?? '').toLowerCase() === 'true';
				const store = storeOf(ctx.tenantId);
				const key = file.filename.toLowerCase();
				if (store.library.has(key) && !flag('overrideifexists')) {
					throw new HttpError(
						400,
						'InvalidRequestBody',
						`A file named ${file.filename} already exists in the library. Set OverrideIfExists to replace it.`,
					);
				}
				const record = libraryRecord(
					file.filename,
					file.data,
					description,
					flag('hasparameters'),
					fields.parametersdescription?.value || null,
					ctx.appid,
				);
				const existing = store.library.get(key);
				if (existing) record.creationTime = existing.creationTime;
				store.library.set(key, record);
				return {
					'@odata.context': `${apiBases.mde}/api/$metadata#LibraryFiles/$entity`,
					...describe(record),
				};
			},
		},
		{
			api: 'mde',
			method: 'DELETE',
			path: /^\/api\/libraryfiles\/([^/]+)$/i,
			category: 'mde',
			roles: ['Library.Manage'],
			handle: (ctx) => {
				if (!storeOf(ctx.tenantId).library.delete(ctx.params[0].toLowerCase()))
					throw new HttpError(404, 'NotFound', `Library file ${ctx.params[0]} not found`);
				ctx.res.writeHead(204);
				ctx.res.end();
			},
		},
	];

	return {
		routes,
		serveBlob,
		tenantOfBlob,
		addLibraryFile,
		listLibraryFiles,
		setDeviceFile,
		setScriptResult,
		setLinkLifetime,
		investigationPackage,
	};
}

module.exports = { createLiveResponse };
