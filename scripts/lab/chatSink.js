// @ts-check
'use strict';
// A stand-in for a Slack or Teams incoming webhook: a plain HTTP server on 127.0.0.1 that records
// every POST body (JSON-parsed when possible) and answers 200 "ok" like Slack does.
const http = require('node:http');

/**
 * @typedef {{ at: string, path: string, headers: import('node:http').IncomingHttpHeaders, body: any, raw: string }} ChatMessage
 */

/** @param {{ port?: number }} [options] */
async function startChatSink({ port = 0 } = {}) {
	/** @type {ChatMessage[]} */
	const messages = [];
	/** @type {Array<() => void>} */
	let waiters = [];
	const sockets = new Set();
	const server = http.createServer((req, res) => {
		let raw = '';
		req.setEncoding('utf8');
		req.on('data', (chunk) => (raw += chunk));
		req.on('end', () => {
			if (req.method !== 'POST') {
				res.writeHead(405, { 'content-type': 'text/plain' }).end('POST only');
				return;
			}
			let body = raw;
			try {
				body = JSON.parse(raw);
			} catch {
				// keep the text
			}
			messages.push({
				at: new Date().toISOString(),
				path: req.url ?? '/',
				headers: req.headers,
				body,
				raw,
			});
			res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
			const ready = waiters;
			waiters = [];
			for (const wake of ready) wake();
		});
	});
	server.on('connection', (socket) => {
		sockets.add(socket);
		socket.once('close', () => sockets.delete(socket));
	});
	await new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, '127.0.0.1', () => resolve(undefined));
	});
	const address = /** @type {import('node:net').AddressInfo} */ (server.address());
	const url = `http://127.0.0.1:${address.port}`;
	return {
		url,
		/** A webhook URL on this sink; the path tells flows apart, e.g. urlFor('triage'). */
		urlFor: (/** @type {string} */ name) => `${url}/hooks/${name}`,
		messages,
		/** Messages posted to `/hooks/<name>`. */
		received: (/** @type {string} */ name) => messages.filter((m) => m.path === `/hooks/${name}`),
		/**
		 * Resolves with the messages of `/hooks/<name>` once there are at least `count`, or rejects after `timeoutMs`.
		 * @param {string} name @param {number} [count] @param {number} [timeoutMs]
		 */
		async waitFor(name, count = 1, timeoutMs = 30_000) {
			const deadline = Date.now() + timeoutMs;
			while (messages.filter((m) => m.path === `/hooks/${name}`).length < count) {
				const left = deadline - Date.now();
				if (left <= 0)
					throw new Error(
						`chat sink: ${count} message(s) on /hooks/${name} expected, got ${messages.filter((m) => m.path === `/hooks/${name}`).length}`,
					);
				await new Promise((resolve) => {
					const timer = setTimeout(resolve, left);
					waiters.push(() => {
						clearTimeout(timer);
						resolve(undefined);
					});
				});
			}
			return messages.filter((m) => m.path === `/hooks/${name}`);
		},
		async stop() {
			const closed = new Promise((resolve) => server.close(() => resolve(undefined)));
			for (const socket of sockets) socket.destroy();
			await closed;
		},
	};
}

module.exports = { startChatSink };
