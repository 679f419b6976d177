'use strict';
/**
 * A small Jira Software Server over HTTPS (the emulator's certificate), answering exactly what n8n's
 * Jira Software node and Jira Trigger call with the `jiraSoftwareServerApi` credential (Basic auth):
 * serverInfo, myself, issue types, issues (create, get, edit), transitions, comments, and the classic
 * webhook registration (`/rest/webhooks/1.0/webhook`), whose events it then delivers to n8n. Read from
 * n8n's packages/nodes-base/nodes/Jira (Jira.node.ts, JiraTrigger.node.ts, GenericFunctions.ts).
 * Test-only; people act through the control functions, n8n through HTTP, and every write is counted.
 */
const fs = require('node:fs');
const https = require('node:https');
const path = require('node:path');

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'tls');

const PROJECT = { id: '10000', key: 'SOC', name: 'Security Operations' };
const ISSUE_TYPES = [
	{ id: '10001', name: 'Task', subtask: false },
	{ id: '10002', name: 'Sub-task', subtask: true },
];
const STATUSES = {
	todo: { id: '1', name: 'To Do', statusCategory: { key: 'new', name: 'To Do' } },
	progress: {
		id: '3',
		name: 'In Progress',
		statusCategory: { key: 'indeterminate', name: 'In Progress' },
	},
	done: { id: '10001', name: 'Done', statusCategory: { key: 'done', name: 'Done' } },
};
/** Jira's default workflow: transition id → target status. */
const TRANSITIONS = { 11: 'todo', 21: 'progress', 31: 'done' };

/**
 * @param {{ email: string, password: string }} account the only user n8n signs in as
 */
async function startJiraEmulator({ email, password }) {
	/** @type {Map<string, any>} */
	const issues = new Map();
	/** @type {Array<{ id: string, url: string, events: string[], name: string }>} */
	const webhooks = [];
	/** @type {Array<{ method: string, path: string, by: string }>} */
	const writes = [];
	/** @type {Array<{ event: string, url: string, status: number | string }>} */
	const deliveries = [];
	const pending = new Set();
	let nextIssue = 1;
	let nextComment = 100;
	let nextWebhook = 1;
	let baseUrl = '';
	const apiUser = { name: 'n8n-sync', emailAddress: email, displayName: 'n8n sync' };

	const now = () => new Date().toISOString().replace('Z', '+0000');
	const issueJson = (issue) => ({
		id: issue.id,
		key: issue.key,
		self: `${baseUrl}/rest/api/2/issue/${issue.id}`,
		fields: {
			summary: issue.summary,
			description: issue.description,
			labels: [...issue.labels],
			project: { ...PROJECT, self: `${baseUrl}/rest/api/2/project/${PROJECT.id}` },
			issuetype: ISSUE_TYPES[0],
			status: STATUSES[issue.status],
			created: issue.created,
			updated: issue.updated,
			comment: {
				comments: issue.comments,
				total: issue.comments.length,
				maxResults: issue.comments.length,
				startAt: 0,
			},
		},
	});

	/** Delivers an event to every webhook registered for it, as Jira does (POST, JSON body). */
	function emit(event, payload) {
		for (const hook of webhooks.filter((h) => h.events.includes(event))) {
			const body = JSON.stringify({ timestamp: Date.now(), webhookEvent: event, ...payload });
			const delivery = fetch(hook.url, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body,
				signal: AbortSignal.timeout(30_000),
			})
				.then((response) => deliveries.push({ event, url: hook.url, status: response.status }))
				.catch((error) => deliveries.push({ event, url: hook.url, status: String(error) }))
				.finally(() => pending.delete(delivery));
			pending.add(delivery);
		}
	}

	function find(idOrKey) {
		const issue = [...issues.values()].find((i) => i.key === idOrKey || i.id === idOrKey);
		if (!issue) throw Object.assign(new Error(`Issue does not exist: ${idOrKey}`), { status: 404 });
		return issue;
	}

	function createIssue(fields, user) {
		const id = String(20000 + nextIssue);
		const key = `${PROJECT.key}-${nextIssue++}`;
		const issue = {
			id,
			key,
			summary: String(fields.summary ?? ''),
			description: fields.description ?? null,
			labels: Array.isArray(fields.labels) ? fields.labels.map(String) : [],
			status: 'todo',
			created: now(),
			updated: now(),
			comments: [],
		};
		issues.set(id, issue);
		emit('jira:issue_created', { user, issue: issueJson(issue) });
		return issue;
	}

	function addComment(issue, body, user) {
		const comment = {
			id: String(nextComment++),
			self: `${baseUrl}/rest/api/2/issue/${issue.id}/comment/${nextComment - 1}`,
			author: user,
			updateAuthor: user,
			body: String(body),
			created: now(),
			updated: now(),
		};
		issue.comments.push(comment);
		issue.updated = now();
		emit('comment_created', { comment, issue: issueJson(issue) });
		return comment;
	}

	function transition(issue, transitionId, user) {
		const target = TRANSITIONS[transitionId];
		if (!target || target === issue.status)
			throw Object.assign(new Error(`Transition ${transitionId} is not valid for ${issue.key}`), {
				status: 400,
			});
		const from = STATUSES[issue.status];
		issue.status = target;
		issue.updated = now();
		emit('jira:issue_updated', {
			user,
			issue_event_type_name: 'issue_generic',
			issue: issueJson(issue),
			changelog: {
				id: String(Date.now()),
				items: [
					{
						field: 'status',
						fieldtype: 'jira',
						from: from.id,
						fromString: from.name,
						to: STATUSES[target].id,
						toString: STATUSES[target].name,
					},
				],
			},
		});
	}

	async function readBody(request) {
		const chunks = [];
		for await (const chunk of request) chunks.push(chunk);
		const text = Buffer.concat(chunks).toString('utf8');
		return text === '' ? {} : JSON.parse(text);
	}

	const routes = [
		[
			'GET',
			/^\/rest\/api\/2\/serverInfo$/,
			() => ({
				baseUrl,
				version: '9.12.2',
				versionNumbers: [9, 12, 2],
				deploymentType: 'Server',
				serverTitle: 'Jira emulator',
			}),
		],
		['GET', /^\/rest\/api\/2\/myself$/, () => apiUser],
		['GET', /^\/rest\/api\/2\/issuetype$/, () => ISSUE_TYPES],
		[
			'POST',
			/^\/rest\/api\/2\/issue$/,
			(_, body) => {
				const fields = body.fields ?? {};
				if (fields.project?.id !== PROJECT.id)
					throw Object.assign(new Error('project: valid project is required'), { status: 400 });
				if (!ISSUE_TYPES.some((type) => type.id === fields.issuetype?.id))
					throw Object.assign(new Error('issuetype: valid issue type is required'), {
						status: 400,
					});
				const issue = createIssue(fields, apiUser);
				return [
					201,
					{ id: issue.id, key: issue.key, self: `${baseUrl}/rest/api/2/issue/${issue.id}` },
				];
			},
		],
		['GET', /^\/rest\/api\/2\/issue\/([^/]+)$/, ([key]) => issueJson(find(key))],
		[
			'PUT',
			/^\/rest\/api\/2\/issue\/([^/]+)$/,
			([key], body) => {
				const issue = find(key);
				const fields = body.fields ?? {};
				const items = [];
				if (fields.summary !== undefined && fields.summary !== issue.summary) {
					items.push({ field: 'summary', fromString: issue.summary, toString: fields.summary });
					issue.summary = fields.summary;
				}
				if (fields.description !== undefined && fields.description !== issue.description) {
					items.push({
						field: 'description',
						fromString: issue.description,
						toString: fields.description,
					});
					issue.description = fields.description;
				}
				if (items.length > 0) {
					issue.updated = now();
					emit('jira:issue_updated', {
						user: apiUser,
						issue: issueJson(issue),
						changelog: { items },
					});
				}
				return [204, null];
			},
		],
		[
			'GET',
			/^\/rest\/api\/2\/issue\/([^/]+)\/transitions$/,
			([key]) => ({
				transitions: Object.entries(TRANSITIONS)
					.filter(([, target]) => target !== find(key).status)
					.map(([id, target]) => ({ id, name: STATUSES[target].name, to: STATUSES[target] })),
			}),
		],
		[
			'POST',
			/^\/rest\/api\/2\/issue\/([^/]+)\/transitions$/,
			([key], body) => {
				transition(find(key), String(body.transition?.id ?? ''), apiUser);
				return [204, null];
			},
		],
		[
			'GET',
			/^\/rest\/api\/2\/issue\/([^/]+)\/comment$/,
			([key]) => {
				const { comments } = find(key);
				return { comments, total: comments.length, maxResults: comments.length, startAt: 0 };
			},
		],
		[
			'POST',
			/^\/rest\/api\/2\/issue\/([^/]+)\/comment$/,
			([key], body) => {
				if (typeof body.body !== 'string' || body.body === '')
					throw Object.assign(new Error('body: Comment body can not be empty!'), { status: 400 });
				return [201, addComment(find(key), body.body, apiUser)];
			},
		],
		[
			'GET',
			/^\/rest\/webhooks\/1\.0\/webhook$/,
			() =>
				webhooks.map((hook) => ({
					...hook,
					self: `${baseUrl}/rest/webhooks/1.0/webhook/${hook.id}`,
					enabled: true,
				})),
		],
		[
			'POST',
			/^\/rest\/webhooks\/1\.0\/webhook$/,
			(_, body) => {
				const hook = {
					id: String(nextWebhook++),
					name: String(body.name),
					url: String(body.url),
					events: body.events ?? [],
				};
				webhooks.push(hook);
				return [
					201,
					{ ...hook, self: `${baseUrl}/rest/webhooks/1.0/webhook/${hook.id}`, enabled: true },
				];
			},
		],
		[
			'DELETE',
			/^\/rest\/webhooks\/1\.0\/webhook\/(\d+)$/,
			([id]) => {
				const index = webhooks.findIndex((hook) => hook.id === id);
				if (index >= 0) webhooks.splice(index, 1);
				return [204, null];
			},
		],
	];

	const expected = `Basic ${Buffer.from(`${email}:${password}`).toString('base64')}`;
	const server = https.createServer(
		{
			key: fs.readFileSync(path.join(FIXTURES, 'emulator-key.pem')),
			cert: fs.readFileSync(path.join(FIXTURES, 'emulator-cert.pem')),
		},
		(request, response) => {
			const url = new URL(request.url ?? '/', baseUrl);
			const send = (status, body) => {
				response.writeHead(status, body === null ? {} : { 'content-type': 'application/json' });
				response.end(body === null ? undefined : JSON.stringify(body));
			};
			if (request.headers.authorization !== expected) {
				send(401, {
					errorMessages: [
						'You are not authenticated. Authentication required to perform this operation.',
					],
				});
				return;
			}
			const route = routes.find(
				([method, pattern]) => method === request.method && pattern.test(url.pathname),
			);
			if (!route) {
				send(404, { errorMessages: [`No route ${request.method} ${url.pathname}`] });
				return;
			}
			readBody(request)
				.then((body) => {
					const params = (route[1].exec(url.pathname) ?? []).slice(1).map(decodeURIComponent);
					if (request.method !== 'GET')
						writes.push({ method: request.method, path: url.pathname, by: 'n8n' });
					const answer = route[2](params, body);
					if (Array.isArray(answer) && answer.length === 2 && typeof answer[0] === 'number')
						send(answer[0], answer[1]);
					else send(200, answer);
				})
				.catch((error) => send(error.status ?? 500, { errorMessages: [error.message] }));
		},
	);
	await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
	const address = server.address();
	baseUrl = `https://localhost:${typeof address === 'object' && address ? address.port : 0}`;

	const person = (name) => ({ name, emailAddress: `${name}@contoso.com`, displayName: name });
	return {
		url: baseUrl,
		project: PROJECT,
		issueTypes: ISSUE_TYPES,
		doneTransition: '31',
		/** A person comments on an issue (delivered to the webhooks). */
		comment: (key, body, name = 'ann') => addComment(find(key), body, person(name)),
		/** A person moves an issue to Done. */
		resolve: (key, name = 'ann') => transition(find(key), '31', person(name)),
		issues: () => [...issues.values()].map(issueJson),
		/** Writes n8n made (POST/PUT/DELETE), webhook registrations included. */
		writes: () => [...writes],
		webhooks: () => webhooks.map((hook) => ({ ...hook })),
		deliveries: () => [...deliveries],
		async stop() {
			await Promise.allSettled([...pending]);
			await new Promise((resolve) => server.close(() => resolve(undefined)));
		},
	};
}

module.exports = { startJiraEmulator };
