import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import {
	NodeConnectionTypes,
	type ICredentialDataDecryptedObject,
	type ICredentialsDecrypted,
	type ICredentialTestFunctions,
	type ICredentialType,
	type IDataObject,
	type IExecuteFunctions,
	type IHttpRequestHelper,
	type INodeExecutionData,
	type INodeProperties,
	type INodeType,
	type IPollFunctions,
} from 'n8n-workflow';

import { runCredentialTest, runNode, runPoll } from './harness/n8n';

// A tiny API: /items echoes the query, /fail answers 500, /events lists events after ?after,
// /session issues a session that /secure accepts, /check accepts the API key 'secret'.
const received: Array<{ query: URLSearchParams; headers: IncomingHttpHeaders }> = [];
let events: IDataObject[] = [];
let eventsFail = false;
let sessionsIssued = 0;
let validSession = '';

const server: Server = createServer((req, res) => {
	const url = new URL(req.url ?? '/', 'http://127.0.0.1');
	received.push({ query: url.searchParams, headers: req.headers });
	const send = (status: number, body: unknown) => {
		res.writeHead(status, { 'content-type': 'application/json' });
		res.end(JSON.stringify(body));
	};
	switch (url.pathname) {
		case '/items':
			return send(200, { ok: true, q: url.searchParams.get('q') });
		case '/events':
			if (eventsFail) return send(503, { error: 'unavailable' });
			return send(
				200,
				events.filter((e) => Number(e.id) > Number(url.searchParams.get('after'))),
			);
		case '/session':
			validSession = `session-${++sessionsIssued}`;
			return send(200, { session: validSession });
		case '/secure':
			if (req.headers['x-session'] !== validSession) return send(401, {});
			return send(200, { ok: true });
		case '/check':
			if (req.headers['x-api-key'] !== 'secret') return send(403, { error: 'bad key' });
			return send(200, {});
		default:
			return send(500, { error: 'boom' });
	}
});
let baseUrl = '';

beforeAll(async () => {
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => await new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => (received.length = 0));

const property = (name: string, extra: Partial<INodeProperties> = {}): INodeProperties => ({
	displayName: name,
	name,
	type: 'string',
	default: '',
	...extra,
});

const dummyApi: ICredentialType = {
	name: 'dummyApi',
	displayName: 'Dummy API',
	properties: [
		property('baseUrl'),
		property('token', { typeOptions: { password: true } }),
		property('region', { default: 'eu' }),
	],
	authenticate: async (credentials, requestOptions) => ({
		...requestOptions,
		headers: {
			...requestOptions.headers,
			'x-api-key': credentials.token,
			'x-region': credentials.region,
		},
	}),
};

const genericApi: ICredentialType = {
	name: 'genericApi',
	displayName: 'Generic API',
	properties: [property('baseUrl'), property('token')],
	authenticate: {
		type: 'generic',
		properties: {
			headers: { Authorization: '=Bearer {{$credentials.token}}' },
			qs: { tenant: 'fixed' },
		},
	},
};

const sessionApi: ICredentialType = {
	name: 'sessionApi',
	displayName: 'Session API',
	properties: [
		property('baseUrl'),
		property('session', { type: 'hidden', typeOptions: { expirable: true } }),
	],
	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject) {
		const url = `${credentials.baseUrl as string}/session`;
		return (await this.helpers.httpRequest({ method: 'POST', url, json: true })) as IDataObject;
	},
	authenticate: async (credentials, requestOptions) => ({
		...requestOptions,
		headers: { ...requestOptions.headers, 'x-session': credentials.session },
	}),
};

/** GETs `path` (per item) from the credential's base URL with the node's credential. */
function dummyNode(credentialType: ICredentialType): INodeType {
	return {
		description: {
			displayName: 'Dummy',
			name: 'dummy',
			group: ['transform'],
			version: 1,
			description: 'Harness test node',
			defaults: { name: 'Dummy' },
			inputs: [NodeConnectionTypes.Main],
			outputs: [NodeConnectionTypes.Main],
			credentials: [{ name: credentialType.name, required: true, testedBy: 'dummyTest' }],
			properties: [
				property('path', { default: '/items' }),
				property('q', { default: 'default-q' }),
			],
		},
		methods: {
			credentialTest: {
				async dummyTest(this: ICredentialTestFunctions, credential: ICredentialsDecrypted) {
					const { baseUrl: url, token, region } = credential.data ?? {};
					try {
						const uri = `${url as string}/check`;
						await this.helpers.request({ uri, headers: { 'x-api-key': token } });
						return { status: 'OK', message: `Connected to ${region as string}` };
					} catch (error) {
						return { status: 'Error', message: (error as Error).message };
					}
				},
			},
		},
		async execute(this: IExecuteFunctions) {
			const { baseUrl: url } = await this.getCredentials(credentialType.name);
			const items = this.getInputData();
			const output: INodeExecutionData[] = [];
			for (let i = 0; i < items.length; i++) {
				try {
					const path = this.getNodeParameter('path', i) as string;
					const q = this.getNodeParameter('q', i) as string;
					// .call(this): the helper reads the credential through the node's context.
					const json = (await this.helpers.httpRequestWithAuthentication.call(
						this,
						credentialType.name,
						{ url: `${url as string}${path}`, qs: { q }, json: true },
					)) as IDataObject;
					output.push({ json, pairedItem: { item: i } });
				} catch (error) {
					if (!this.continueOnFail()) throw error;
					const json = { error: (error as Error).message };
					output.push({ json, pairedItem: { item: i } });
				}
			}
			return [output];
		},
	};
}

/** Emits events newer than the last one it saw; the editor's test fetch sees all of them. */
const dummyTrigger: INodeType = {
	description: {
		displayName: 'Dummy Trigger',
		name: 'dummyTrigger',
		group: ['trigger'],
		version: 1,
		description: 'Harness test trigger',
		polling: true,
		defaults: { name: 'Dummy Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'dummyApi', required: true }],
		properties: [],
	},
	async poll(this: IPollFunctions) {
		const state = this.getWorkflowStaticData('node');
		const { baseUrl: url } = await this.getCredentials('dummyApi');
		const after = this.getMode() === 'manual' ? 0 : ((state.lastId as number | undefined) ?? 0);
		const found = (await this.helpers.httpRequestWithAuthentication.call(this, 'dummyApi', {
			url: `${url as string}/events`,
			qs: { after },
			json: true,
		})) as IDataObject[];
		if (found.length === 0) return null;
		state.lastId = found[found.length - 1].id;
		return [this.helpers.returnJsonArray(found)];
	},
};

const dummyCredentials = () => ({ baseUrl, token: 'secret' });

describe('runNode', () => {
	it('calls the async authenticate, applies defaults and resolves expressions', async () => {
		const result = await runNode({
			nodeType: dummyNode(dummyApi),
			credentialType: dummyApi,
			credentials: dummyCredentials(),
			parameters: { path: '={{ $json.path }}' },
			inputItems: [{ json: { path: '/items' } }],
		});

		expect(result).toEqual([[{ json: { ok: true, q: 'default-q' }, pairedItem: { item: 0 } }]]);
		expect(received).toHaveLength(1);
		expect(received[0].headers['x-api-key']).toBe('secret');
		expect(received[0].headers['x-region']).toBe('eu'); // credential default
	});

	it('gives the failing item {error} with continueOnFail and keeps the others', async () => {
		const result = await runNode({
			nodeType: dummyNode(dummyApi),
			credentialType: dummyApi,
			credentials: dummyCredentials(),
			parameters: { path: '={{ $json.path }}', q: '={{ $json.q }}' },
			inputItems: [
				{ json: { path: '/items', q: 'a' } },
				{ json: { path: '/fail' } },
				{ json: { path: '/items', q: 'c' } },
			],
			continueOnFail: true,
		});

		const paired = result[0].map((item) => item.pairedItem);
		expect(paired).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(result[0][0].json).toEqual({ ok: true, q: 'a' });
		expect(result[0][1].json.error).toEqual(expect.any(String));
		expect(result[0][2].json).toEqual({ ok: true, q: 'c' });
	});

	it('propagates the error without continueOnFail', async () => {
		await expect(
			runNode({
				nodeType: dummyNode(dummyApi),
				credentialType: dummyApi,
				credentials: dummyCredentials(),
				parameters: { path: '/fail' },
			}),
		).rejects.toMatchObject({ name: 'NodeApiError', httpCode: '500' });
	});

	it('supports a generic (declarative) authenticate', async () => {
		await runNode({
			nodeType: dummyNode(genericApi),
			credentialType: genericApi,
			credentials: { baseUrl, token: 'g-token' },
			parameters: {},
		});

		expect(received[0].headers.authorization).toBe('Bearer g-token');
		expect(received[0].query.get('tenant')).toBe('fixed');
	});

	it('runs preAuthentication once, stores its result and refreshes it on a 401', async () => {
		const credentials: ICredentialDataDecryptedObject = { baseUrl };
		const run = async () =>
			await runNode({
				nodeType: dummyNode(sessionApi),
				credentialType: sessionApi,
				credentials,
				parameters: { path: '/secure' },
			});
		const issuedBefore = sessionsIssued;

		await run();
		await run();
		expect(sessionsIssued - issuedBefore).toBe(1);
		expect(credentials.session).toBe(validSession);

		validSession = 'revoked';
		expect(await run()).toEqual([[{ json: { ok: true }, pairedItem: { item: 0 } }]]);
		expect(sessionsIssued - issuedBefore).toBe(2);
		expect(credentials.session).toBe(validSession);
	});
});

describe('runPoll', () => {
	const poll = async (staticData: IDataObject, mode?: 'manual') =>
		await runPoll({
			nodeType: dummyTrigger,
			credentialType: dummyApi,
			credentials: dummyCredentials(),
			parameters: {},
			staticData,
			mode,
		});

	it('keeps node static data under node:<name> between polls and across a restart', async () => {
		events = [{ id: 1 }, { id: 2 }];
		const first = await poll({});
		expect(first.result).toEqual([[{ json: { id: 1 } }, { json: { id: 2 } }]]);
		expect(first.staticData).toEqual({ 'node:Dummy Trigger': { lastId: 2 } });
		expect(received[0].headers['x-api-key']).toBe('secret');

		const second = await poll(first.staticData);
		expect(second.result).toBeNull();

		events.push({ id: 3 });
		const restarted = JSON.parse(JSON.stringify(second.staticData)) as IDataObject;
		const afterRestart = await poll(restarted);
		expect(afterRestart.result).toEqual([[{ json: { id: 3 } }]]);
		expect(afterRestart.staticData).toEqual({ 'node:Dummy Trigger': { lastId: 3 } });
	});

	it('drops static data changes of a manual test fetch, as n8n does not save them', async () => {
		events = [{ id: 1 }, { id: 2 }];
		const staticData = { 'node:Dummy Trigger': { lastId: 2 } };
		const { result, staticData: after } = await poll(staticData, 'manual');
		expect(result?.[0]).toHaveLength(2);
		expect(after).toEqual({ 'node:Dummy Trigger': { lastId: 2 } });
	});

	it('throws what a scheduled poll reports as an error', async () => {
		eventsFail = true;
		try {
			await expect(poll({})).rejects.toMatchObject({ name: 'NodeApiError', httpCode: '503' });
		} finally {
			eventsFail = false;
		}
	});
});

describe('runCredentialTest', () => {
	it('runs the node’s credential test on a CredentialTestContext, with defaults', async () => {
		const node = dummyNode(dummyApi);
		const ok = await runCredentialTest(node, 'dummyTest', dummyCredentials(), dummyApi);
		expect(ok).toEqual({ status: 'OK', message: 'Connected to eu' });
		const refused = await runCredentialTest(node, 'dummyTest', { baseUrl, token: 'wrong' });
		expect(refused).toMatchObject({ status: 'Error' });
		await expect(runCredentialTest(node, 'noSuchTest', {})).rejects.toThrow('noSuchTest');
	});
});
