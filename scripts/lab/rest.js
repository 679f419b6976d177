// @ts-check
'use strict';
// n8n's internal REST API as the editor uses it (shared/n8n-lab.md §6): owner setup, login with the
// n8n-auth cookie, credential Test, executions.

/** The owner account the tests and the demo create (n8n wants 8+ characters, a digit and a capital). */
const DEFAULT_OWNER = {
	email: 'owner@example.com',
	firstName: 'Demo',
	lastName: 'Owner',
	password: 'Defender-Demo-2026',
};

/**
 * A small client for `baseUrl`/rest that keeps the auth cookie.
 * @param {string} baseUrl
 */
function restClient(baseUrl) {
	let cookie = '';
	// n8n ties the auth cookie to a browser id sent in this header.
	const browserId = 'defender-lab';
	/**
	 * @param {string} method @param {string} path under /rest @param {unknown} [body]
	 * @returns {Promise<{ status: number, body: any }>}
	 */
	async function request(method, path, body) {
		const response = await fetch(`${baseUrl}/rest${path}`, {
			method,
			headers: {
				'content-type': 'application/json',
				'browser-id': browserId,
				...(cookie ? { cookie } : {}),
			},
			body: body === undefined ? undefined : JSON.stringify(body),
			signal: AbortSignal.timeout(60_000),
		});
		const setCookie = response.headers.getSetCookie().find((c) => c.startsWith('n8n-auth='));
		if (setCookie) cookie = setCookie.split(';')[0];
		const text = await response.text();
		let parsed = text;
		try {
			parsed = JSON.parse(text);
		} catch {
			// not JSON
		}
		return { status: response.status, body: parsed };
	}
	/**
	 * Like request, but throws unless 2xx; returns the body's `data`.
	 * @param {string} method @param {string} path @param {unknown} [body] @returns {Promise<any>}
	 */
	async function call(method, path, body) {
		const { status, body: answer } = await request(method, path, body);
		if (status < 200 || status >= 300)
			throw new Error(`${method} /rest${path}: ${status} ${JSON.stringify(answer).slice(0, 500)}`);
		return answer?.data ?? answer;
	}
	return { request, call, baseUrl };
}

/**
 * Waits until the REST routes answer: n8n 1.x reports ready on /healthz/readiness before they exist,
 * and /rest/settings is the first JSON the editor reads.
 * @param {ReturnType<typeof restClient>} client @param {number} [timeoutMs]
 */
async function restReady(client, timeoutMs = 60_000) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const { status, body } = await client
			.request('GET', '/settings')
			.catch((error) => ({ status: 0, body: String(error) }));
		if (status === 200 && typeof body === 'object' && body !== null) return;
		if (Date.now() > deadline)
			throw new Error(
				`GET /rest/settings did not answer JSON within ${timeoutMs / 1000} s (last: ${status} ${JSON.stringify(body).slice(0, 200)})`,
			);
		await new Promise((resolve) => setTimeout(resolve, 500));
	}
}

/**
 * Creates the owner account on a fresh instance (first run only) and logs in; returns a logged-in client.
 * @param {string} baseUrl @param {typeof DEFAULT_OWNER} [owner]
 */
async function setupOwner(baseUrl, owner = DEFAULT_OWNER) {
	const client = restClient(baseUrl);
	await restReady(client);
	const { status, body } = await client.request('POST', '/owner/setup', owner);
	// 400 "Instance owner already setup" on a second start of the same folder: then just log in.
	if (status >= 300 && !(status === 400 && /already/i.test(JSON.stringify(body)))) {
		throw new Error(`POST /rest/owner/setup: ${status} ${JSON.stringify(body).slice(0, 500)}`);
	}
	return await restLogin(baseUrl, owner, client);
}

/**
 * Logs in; returns a client that sends the auth cookie.
 * @param {string} baseUrl @param {{ email: string, password: string }} [owner] @param {ReturnType<typeof restClient>} [client]
 */
async function restLogin(baseUrl, owner = DEFAULT_OWNER, client = restClient(baseUrl)) {
	await client.call('POST', '/login', {
		emailOrLdapLoginId: owner.email,
		password: owner.password,
	});
	return client;
}

/**
 * The credential dialog's Test button: POST /rest/credentials/test → { status: 'OK' | 'Error', message }.
 * @param {ReturnType<typeof restClient>} client @param {{ id?: string, name: string, type: string, data: Record<string, unknown> }} credential
 */
async function testCredential(client, credential) {
	return /** @type {{ status: string, message: string }} */ (
		await client.call('POST', '/credentials/test', { credentials: credential })
	);
}

/**
 * Executions of a workflow, newest first (summaries), or one with its data when `id` is given.
 * @param {ReturnType<typeof restClient>} client @param {string} workflowId
 */
async function listExecutions(client, workflowId) {
	const data = await client.call(
		'GET',
		`/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId }))}`,
	);
	return /** @type {any[]} */ (data.results ?? data);
}

/**
 * Every execution of a workflow (summaries), 100 at a time; `filter` adds fields of n8n's execution
 * filter, e.g. `{ status: ['error', 'crashed'] }`. n8n lists newest `startedAt` first but its cursor
 * continues below the last row's *id*, which skips and repeats executions that started concurrently;
 * so this walks back by `startedBefore` (1 ms past the oldest start seen, ties included) and keeps one
 * entry per id.
 * @param {ReturnType<typeof restClient>} client @param {string} workflowId @param {Record<string, unknown>} [filter]
 */
async function listAllExecutions(client, workflowId, filter = {}) {
	/** @type {Map<string, any>} */
	const byId = new Map();
	/** @type {string | undefined} */
	let startedBefore;
	for (;;) {
		const query = { workflowId, ...filter, ...(startedBefore ? { startedBefore } : {}) };
		const data = await client.call(
			'GET',
			`/executions?filter=${encodeURIComponent(JSON.stringify(query))}&limit=100`,
		);
		const results = /** @type {any[]} */ (data.results ?? []);
		const before = byId.size;
		for (const execution of results)
			if (!byId.has(String(execution.id))) byId.set(String(execution.id), execution);
		const starts = results
			.map((execution) => Date.parse(execution.startedAt))
			.filter((time) => Number.isFinite(time));
		if (results.length < 100 || byId.size === before || starts.length === 0) break;
		startedBefore = new Date(Math.min(...starts) + 1).toISOString();
	}
	return [...byId.values()];
}

/**
 * How many executions of a workflow match `filter` (n8n's own count), e.g. `{ status: ['success'] }`.
 * @param {ReturnType<typeof restClient>} client @param {string} workflowId @param {Record<string, unknown>} [filter]
 * @returns {Promise<number>}
 */
async function countExecutions(client, workflowId, filter = {}) {
	const data = await client.call(
		'GET',
		`/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId, ...filter }))}&limit=1`,
	);
	return Number(data.count);
}

/**
 * Publishes (activates) a workflow as the editor's Publish button does: its current version. Its
 * triggers start in the running n8n (a polling trigger polls once right away).
 * @param {ReturnType<typeof restClient>} client @param {string} workflowId
 */
async function activateWorkflow(client, workflowId) {
	const { versionId } = await client.call('GET', `/workflows/${workflowId}`);
	return await client.call('POST', `/workflows/${workflowId}/activate`, { versionId });
}

/** One execution with its run data (parsed from n8n's flatted form when needed). @param {ReturnType<typeof restClient>} client @param {string} id */
async function getExecution(client, id) {
	const execution = await client.call('GET', `/executions/${id}`);
	if (typeof execution.data === 'string') execution.data = unflatten(execution.data);
	return execution;
}

/**
 * n8n sends execution data in the `flatted` format: an array of entries in which every string
 * inside an object or array is the index of another entry. This rebuilds the object graph.
 * @param {string} text
 */
function unflatten(text) {
	const input = JSON.parse(text);
	const seen = new Map();
	const revive = (/** @type {number} */ index) => {
		if (seen.has(index)) return seen.get(index);
		const value = input[index];
		if (value === null || typeof value !== 'object') {
			seen.set(index, value);
			return value;
		}
		const out = Array.isArray(value) ? [] : {};
		seen.set(index, out);
		for (const [key, entry] of Object.entries(value)) {
			/** @type {any} */ (out)[key] =
				typeof entry === 'string' && /^\d+$/.test(entry) ? revive(Number(entry)) : entry;
		}
		return out;
	};
	return revive(0);
}

module.exports = {
	DEFAULT_OWNER,
	restClient,
	setupOwner,
	restLogin,
	testCredential,
	listExecutions,
	listAllExecutions,
	countExecutions,
	activateWorkflow,
	getExecution,
	unflatten,
};
