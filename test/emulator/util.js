// @ts-check
'use strict';
// Small helpers shared by the emulator's modules: errors, JSON bodies, timestamps, matching.

/** An error that becomes an HTTP answer; the caller renders it in its API's error shape. */
class HttpError extends Error {
	/**
	 * @param {number} status
	 * @param {string} code
	 * @param {string} message
	 * @param {Record<string, string>} [headers]
	 */
	constructor(status, code, message, headers = {}) {
		super(message);
		this.status = status;
		this.code = code;
		this.headers = headers;
	}
}

/**
 * @param {import('node:http').ServerResponse} res
 * @param {number} status
 * @param {unknown} body
 * @param {Record<string, string>} [headers]
 */
function sendJson(res, status, body, headers = {}) {
	const text = JSON.stringify(body);
	res.writeHead(status, {
		'content-type': 'application/json; charset=utf-8',
		'content-length': String(Buffer.byteLength(text)),
		...headers,
	});
	res.end(text);
}

/**
 * @param {import('node:http').IncomingMessage} req
 * @param {number} [max] largest body accepted, in bytes
 * @returns {Promise<Buffer>}
 */
async function readBytes(req, max = 5_000_000) {
	const chunks = [];
	let size = 0;
	for await (const chunk of req) {
		size += chunk.length;
		if (size > max) throw new HttpError(413, 'RequestEntityTooLarge', 'Request body too large');
		chunks.push(chunk);
	}
	return Buffer.concat(chunks);
}

/**
 * @param {import('node:http').IncomingMessage} req
 * @returns {Promise<string>}
 */
async function readBody(req) {
	return (await readBytes(req)).toString('utf8');
}

/**
 * @param {import('node:http').IncomingMessage} req
 * @returns {Promise<any>}
 */
async function readJson(req) {
	const text = await readBody(req);
	if (!text.trim()) return {};
	try {
		return JSON.parse(text);
	} catch {
		throw new HttpError(400, 'BadRequest', 'The request body is not valid JSON');
	}
}

const ISO_WITH_FRACTION = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,7}))?Z$/;

/**
 * Timestamps as the Defender APIs print them: UTC with a 7-digit fraction. In that fixed format
 * string order equals time order, so the stores compare them as strings.
 * @param {string | number | Date} [value] default now (with random sub-millisecond digits)
 * @returns {string}
 */
function toApiTime(value) {
	if (value === undefined) {
		const subMs = String(Math.floor(Math.random() * 10000)).padStart(4, '0');
		return new Date().toISOString().replace('Z', `${subMs}Z`);
	}
	if (typeof value === 'string') {
		const m = ISO_WITH_FRACTION.exec(value);
		if (m) return `${m[1]}.${(m[2] ?? '').padEnd(7, '0')}Z`;
	}
	const date = new Date(value);
	if (Number.isNaN(date.getTime())) throw new Error(`Invalid date/time: ${String(value)}`);
	return date.toISOString().replace('Z', '0000Z');
}

/**
 * `pattern` is a substring, or a regular expression written as "/source/flags" (flags from dgimsuy;
 * "/api/incidents" is therefore a substring).
 * @param {string} pattern
 * @param {string} text
 */
function matchesText(pattern, text) {
	const re = /^\/(.+)\/([dgimsuy]*)$/.exec(pattern);
	return re ? new RegExp(re[1], re[2]).test(text) : text.includes(pattern);
}

/** @param {number} ms as hh:mm:ss, the way the quota message prints windows */
function formatWindow(ms) {
	const s = Math.round(ms / 1000);
	const pad = (/** @type {number} */ n) => String(n).padStart(2, '0');
	return `${pad(Math.floor(s / 3600))}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}`;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A JSON body property, its name matched case-insensitively (Defender for Endpoint binds bodies the
 * ASP.NET way, so `Comment` and `comment` both work).
 * @param {unknown} body @param {string} name
 */
function prop(body, name) {
	if (!body || typeof body !== 'object') return undefined;
	const key = Object.keys(body).find((k) => k.toLowerCase() === name.toLowerCase());
	return key === undefined ? undefined : /** @type {Record<string, unknown>} */ (body)[key];
}

/** A required string body parameter, with Defender for Endpoint's error codes. @param {unknown} body @param {string} name */
function requiredText(body, name) {
	const value = prop(body, name);
	if (value === undefined || value === null || value === '')
		throw new HttpError(400, 'MissingRequiredParameter', `Parameter ${name} is missing`);
	if (typeof value !== 'string')
		throw new HttpError(400, 'InvalidInput', `Invalid input ${name}: a string is expected`);
	return value;
}

/**
 * `value` in its spelling from `allowed` (matched case-insensitively), or a 400 naming the field.
 * @param {string} field @param {unknown} value @param {string[]} allowed
 */
function oneOf(field, value, allowed) {
	const hit =
		typeof value === 'string'
			? allowed.find((a) => a.toLowerCase() === value.toLowerCase())
			: undefined;
	if (!hit)
		throw new HttpError(
			400,
			'InvalidInput',
			`Invalid value '${String(value)}' for field '${field}'. Allowed values: ${allowed.join(', ')}.`,
		);
	return hit;
}

/**
 * A ZIP archive of uncompressed entries ("stored"), enough for clients that save or unpack it.
 * @param {{ name: string, data: Buffer }[]} files
 */
function zipStore(files) {
	const zlib = require('node:zlib');
	/** @type {Buffer[]} */
	const locals = [];
	/** @type {Buffer[]} */
	const centrals = [];
	let offset = 0;
	for (const { name, data } of files) {
		const nameBytes = Buffer.from(name, 'utf8');
		const crc = zlib.crc32(data);
		const local = Buffer.alloc(30);
		local.writeUInt32LE(0x04034b50, 0);
		local.writeUInt16LE(20, 4);
		local.writeUInt16LE(0x21, 12); // 1980-01-01
		local.writeUInt32LE(crc, 14);
		local.writeUInt32LE(data.length, 18);
		local.writeUInt32LE(data.length, 22);
		local.writeUInt16LE(nameBytes.length, 26);
		const central = Buffer.alloc(46);
		central.writeUInt32LE(0x02014b50, 0);
		central.writeUInt16LE(20, 4);
		central.writeUInt16LE(20, 6);
		central.writeUInt16LE(0x21, 14);
		central.writeUInt32LE(crc, 16);
		central.writeUInt32LE(data.length, 20);
		central.writeUInt32LE(data.length, 24);
		central.writeUInt16LE(nameBytes.length, 28);
		central.writeUInt32LE(offset, 42);
		locals.push(local, nameBytes, data);
		centrals.push(central, nameBytes);
		offset += local.length + nameBytes.length + data.length;
	}
	const directory = Buffer.concat(centrals);
	const end = Buffer.alloc(22);
	end.writeUInt32LE(0x06054b50, 0);
	end.writeUInt16LE(files.length, 8);
	end.writeUInt16LE(files.length, 10);
	end.writeUInt32LE(directory.length, 12);
	end.writeUInt32LE(offset, 16);
	return Buffer.concat([...locals, directory, end]);
}

module.exports = {
	HttpError,
	sendJson,
	readBytes,
	readBody,
	readJson,
	toApiTime,
	matchesText,
	formatWindow,
	GUID,
	prop,
	requiredText,
	oneOf,
	zipStore,
};
