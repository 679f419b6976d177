// @ts-check
'use strict';
// The HTTP control API: POST /_emulator/<method> with a JSON array of arguments answers the
// method's JSON return value, so a separate process (demo, end-to-end tests) can drive the emulator.
const { sendJson, readBody } = require('./util');

/**
 * @param {Record<string, (...args: any[]) => unknown>} methods
 * @param {import('node:http').IncomingMessage} req
 * @param {import('node:http').ServerResponse} res
 * @param {string} name
 */
async function handleControl(methods, req, res, name) {
	if (!Object.hasOwn(methods, name)) {
		sendJson(res, 404, {
			error: `Unknown control method '${name}'. Known: ${Object.keys(methods).join(', ')}`,
		});
		return;
	}
	let args;
	try {
		const text = await readBody(req);
		args = text.trim() ? JSON.parse(text) : [];
		if (!Array.isArray(args)) throw new Error('The body must be a JSON array of arguments');
	} catch (err) {
		sendJson(res, 400, { error: `Bad arguments: ${/** @type {Error} */ (err).message}` });
		return;
	}
	try {
		sendJson(res, 200, (await methods[name](...args)) ?? null);
	} catch (err) {
		sendJson(res, 400, { error: /** @type {Error} */ (err).message });
	}
}

module.exports = { handleControl };
