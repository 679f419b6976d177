/**
 * A client secret, a certificate's private key or a bearer token never appears in an error (message,
 * description, JSON, stack, nested causes), in node output (also Continue On Fail items), in anything
 * written to the console or to n8n's logger, or in a committed test snapshot.
 *
 * The emulator keeps no list of the tokens it issued, so every token is captured where the client
 * attaches it (the credential type's `authenticate`); the last test checks that this capture saw every
 * token the emulator issued, so a leak of any of them would be caught.
 */
import { createPrivateKey, generateKeyPairSync, randomUUID, X509Certificate } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { inspect } from 'node:util';

import {
	LoggerProxy,
	type ICredentialDataDecryptedObject,
	type IHttpRequestOptions,
	type INodeExecutionData,
	type INodeParameters,
} from 'n8n-workflow';

import {
	CLIENT_CERT_PEM,
	CLIENT_KEY_PEM,
	createLab,
	credentialType,
	emulator,
	runDefender,
	stopEmulator,
	type Lab,
} from '../support/lab';

const FAKE_JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc';
const WRONG_KEY_PEM = generateKeyPairSync('rsa', { modulusLength: 2048 })
	.privateKey.export({ type: 'pkcs8', format: 'pem' })
	.toString();
const listIncidents: INodeParameters = {
	api: 'graph',
	resource: 'incident',
	operation: 'getAll',
	returnAll: false,
	limit: 5,
};

/** The lines of a PEM key's body, as given and as the product normalises it (PKCS#8). */
const keyLines = (pem: string) =>
	[pem, createPrivateKey(pem).export({ type: 'pkcs8', format: 'pem' }).toString()].flatMap((text) =>
		text.split(/\r?\n/).filter((line) => line.length >= 40 && !line.startsWith('-----')),
	);

const secrets = new Set<string>([
	FAKE_JWT,
	...keyLines(CLIENT_KEY_PEM),
	...keyLines(WRONG_KEY_PEM),
]);
const issuedTokens = new Set<string>();
/** Everything the current test made visible: errors, output items, console and log lines. */
let seen: string[] = [];

const show = (value: unknown) =>
	inspect(value, {
		depth: 10,
		maxStringLength: Infinity,
		maxArrayLength: Infinity,
		breakLength: Infinity,
	});

function recordError(error: unknown) {
	const { message, description, stack } = error as Error & { description?: string };
	let json: string;
	try {
		json = JSON.stringify(error);
	} catch (failure) {
		json = `JSON.stringify failed: ${String(failure)}`;
	}
	seen.push(String(message), String(description), json, String(stack), show(error));
}

/** Runs the node, recording its output or error; returns both for scenario-specific checks. */
async function run(
	lab: Pick<Lab, 'credentials'>,
	parameters: INodeParameters,
	options: { continueOnFail?: boolean; credentials?: ICredentialDataDecryptedObject } = {},
) {
	try {
		const output = await runDefender(lab, parameters, options);
		seen.push(...output.map((item) => JSON.stringify(item)));
		return { output, error: undefined };
	} catch (error) {
		recordError(error);
		return { output: [] as INodeExecutionData[], error: error as Error & { description?: string } };
	}
}

function expectNothingSecret(texts: string[]) {
	const values = [
		...secrets,
		...[...issuedTokens].flatMap((token) => [token, token.split('.')[2]]),
	];
	for (const text of texts) {
		for (const value of values) {
			if (text.includes(value))
				throw new Error(
					`A secret value leaked into: ${text.split(value).join('<LEAKED>').slice(0, 300)}`,
				);
		}
	}
}

beforeAll(() => {
	// Capture every bearer token the client attaches.
	const authenticate = credentialType.authenticate;
	credentialType.authenticate = async (
		credentials: ICredentialDataDecryptedObject,
		options: IHttpRequestOptions,
	) => {
		const result = await authenticate(credentials, options);
		const header = String(result.headers?.Authorization ?? '');
		if (header.startsWith('Bearer ')) issuedTokens.add(header.slice('Bearer '.length));
		return result;
	};
	// Record (and still print) everything written to the console, stdout/stderr and n8n's logger.
	for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
		const original = console[method].bind(console);
		jest.spyOn(console, method).mockImplementation((...args: unknown[]) => {
			seen.push(args.map(show).join(' '));
			original(...args);
		});
	}
	for (const stream of [process.stdout, process.stderr]) {
		const original = stream.write.bind(stream) as (...args: unknown[]) => boolean;
		jest.spyOn(stream, 'write').mockImplementation(((chunk: unknown, ...rest: unknown[]) => {
			seen.push(String(chunk));
			return original(chunk, ...rest);
		}) as typeof stream.write);
	}
	const log = (message: string, meta?: unknown) => void seen.push(`${message} ${show(meta)}`);
	LoggerProxy.init({ error: log, warn: log, info: log, debug: log } as never);
});

beforeEach(() => {
	seen = [];
});

// Every test: nothing it made visible contains a secret, a key line or any token issued so far.
afterEach(async () => {
	(await emulator()).clearFaults();
	expectNothingSecret(seen);
});

afterAll(async () => {
	jest.restoreAllMocks();
	await stopEmulator();
});

async function secretLab(options?: Parameters<typeof createLab>[0]) {
	const lab = await createLab(options);
	secrets.add(lab.secret);
	return lab;
}

describe('secrets never leak into errors, output or logs', () => {
	it('succeeds with a client secret and with a certificate, output free of secrets', async () => {
		const lab = await secretLab();
		lab.emulator.seedIncidents(lab.tenantId, 3);
		expect((await run(lab, listIncidents)).output).toHaveLength(3);
		const certificate = {
			...lab.credentials,
			authentication: 'certificate',
			clientSecret: '',
			certificatePrivateKey: CLIENT_KEY_PEM,
			certificate: CLIENT_CERT_PEM,
		};
		expect((await run(lab, listIncidents, { credentials: certificate })).output).toHaveLength(3);
		expect(issuedTokens.size).toBeGreaterThanOrEqual(2);
	});

	it('wrong secret: explained (AADSTS7000215), also as a Continue On Fail item, without the secret', async () => {
		const lab = await secretLab();
		const wrong = `Wrong~${randomUUID()}`;
		secrets.add(wrong);
		const credentials = { ...lab.credentials, clientSecret: wrong };
		expect((await run(lab, listIncidents, { credentials })).error?.message).toMatch(
			/AADSTS7000215/,
		);
		const { output } = await run(lab, listIncidents, { credentials, continueOnFail: true });
		expect(output).toEqual([
			expect.objectContaining({
				json: expect.objectContaining({ error: expect.stringMatching(/AADSTS7000215/) }),
			}),
		]);
	});

	it('expired secret and unknown tenant: explained without the secret', async () => {
		const lab = await secretLab();
		const expiredSecret = `Old~${randomUUID()}`;
		secrets.add(expiredSecret);
		const app = lab.emulator.addApp({
			secrets: [{ value: expiredSecret, expiresAt: Date.now() - 60_000 }],
		});
		lab.emulator.consent({
			tenantId: lab.tenantId,
			clientId: app.clientId,
			roles: { graph: ['SecurityIncident.Read.All'] },
		});
		const expired = await run(lab, listIncidents, {
			credentials: { ...lab.credentials, clientId: app.clientId, clientSecret: expiredSecret },
		});
		expect(expired.error?.message).toMatch(/AADSTS7000222/);
		const unknownTenant = await run(lab, listIncidents, {
			credentials: { ...lab.credentials, tenantId: randomUUID() },
		});
		expect(unknownTenant.error?.message).toMatch(/AADSTS90002/);
	});

	it('certificate with a wrong private key: refused locally (with the certificate) and by Entra ID (with a thumbprint)', async () => {
		const lab = await secretLab();
		const base = {
			...lab.credentials,
			authentication: 'certificate',
			clientSecret: '',
			certificatePrivateKey: WRONG_KEY_PEM,
		};
		const mismatch = await run(lab, listIncidents, {
			credentials: { ...base, certificate: CLIENT_CERT_PEM },
		});
		expect(mismatch.error?.message).toMatch(/Certificate and Private Key do not belong together/);
		const thumbprint = new X509Certificate(CLIENT_CERT_PEM).fingerprint.replace(/:/g, '');
		const refused = await run(lab, listIncidents, {
			credentials: { ...base, certificate: '', certificateThumbprint: thumbprint },
		});
		expect(refused.error?.message).toMatch(/AADSTS700027.*certificate was rejected/);
		expect(lab.calls({ api: 'login', status: 401 })).toHaveLength(1);
	});

	it('API failures: 403 missing permission, 401 twice, 500 until retries run out, connection reset of a POST', async () => {
		const unpermitted = await secretLab({ roles: { graph: [], xdr: [] } });
		expect((await run(unpermitted, listIncidents)).error?.message).toMatch(
			/lacks the application permission SecurityIncident\.Read\.All/,
		);

		const lab = await secretLab();
		lab.emulator.injectFault({ match: { api: 'graph' }, times: 2, fault: { status: 401 } });
		expect((await run(lab, listIncidents)).error?.message).toMatch(
			/rejected the access token twice/,
		);

		lab.emulator.injectFault({
			match: { api: 'graph' },
			times: 5,
			fault: { status: 500, headers: { 'retry-after': '0' } },
		});
		expect((await run(lab, listIncidents)).error?.message).toMatch(
			/answered 500 \(a server error\) after 5 attempts/,
		);

		const incident = lab.emulator.createIncident(lab.tenantId);
		lab.emulator.injectFault({
			match: { api: 'graph', method: 'POST' },
			times: 1,
			fault: { reset: true },
		});
		const comment = {
			api: 'graph',
			resource: 'incident',
			operation: 'addComment',
			incidentId: { mode: 'id', value: String(incident.id) },
			comment: 'triaged',
		};
		expect((await run(lab, comment)).error?.message).toMatch(/Could not reach.*not repeated/);
		expect(lab.calls({ api: 'graph', method: 'POST' })).toHaveLength(1);
	});

	it('a 400 whose body echoes the bearer token, a JWT and the client secret: all redacted, also with Continue On Fail', async () => {
		const lab = await secretLab();
		await run(lab, listIncidents); // the token the next calls reuse
		const token = [...issuedTokens].at(-1) as string;
		const echo = `Invalid request. Authorization: Bearer ${token} id_token=${FAKE_JWT} client_secret=${lab.secret} raw=${token}`;
		lab.emulator.injectFault({
			match: { api: 'graph' },
			times: 2,
			fault: { status: 400, body: { error: { code: 'BadRequest', message: echo } } },
		});

		const { error } = await run(lab, listIncidents);
		expect(error?.message).toMatch(
			/^Microsoft Graph.* answered 400 \(a bad request\): Invalid request\. Authorization: Bearer \[redacted\]/,
		);
		expect(error?.message).toContain('[redacted');
		const { output } = await run(lab, listIncidents, { continueOnFail: true });
		expect(output).toHaveLength(1);
		expect(output[0].json.error).toMatch(/answered 400.*Bearer \[redacted\]/);
	});

	it('a secret with + / = & and spaces, echoed URL-encoded and form-encoded by a proxy, is redacted in message, description, JSON and Continue On Fail items', async () => {
		const lab = await secretLab();
		const special = `Ab+c/d=e&f g~${randomUUID()}%!'()*`;
		const forms = [
			special,
			encodeURIComponent(special),
			new URLSearchParams({ s: special }).toString().slice(2),
			encodeURIComponent(special).replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase()),
		];
		for (const form of forms) secrets.add(form);
		const app = lab.emulator.addApp({ secrets: [{ value: special }] });
		lab.emulator.consent({
			tenantId: lab.tenantId,
			clientId: app.clientId,
			roles: { graph: ['SecurityIncident.Read.All'] },
		});
		const credentials = { ...lab.credentials, clientId: app.clientId, clientSecret: special };
		const echo = `Bad gateway for client_secret=${forms[1]} body=${forms[2]} lower=${forms[3]}`;
		lab.emulator.injectFault({
			match: { api: 'graph' },
			times: 2,
			fault: { status: 400, body: { error: { code: 'BadRequest', message: echo } } },
		});
		const { error } = await run(lab, listIncidents, { credentials });
		expect(error?.message).toMatch(
			/answered 400 \(a bad request\): Bad gateway for client_secret=\[redacted\] body=\[redacted\] lower=\[redacted\]/,
		);
		const { output } = await run(lab, listIncidents, { credentials, continueOnFail: true });
		expect(String(output[0]?.json.error)).toMatch(
			/client_secret=\[redacted\] body=\[redacted\] lower=\[redacted\]/,
		);

		lab.emulator.injectFault({
			match: { api: 'graph' },
			times: 1,
			fault: {
				status: 502,
				body: `<html><title>Proxy error ${forms[2]}</title></html>`,
				headers: { 'retry-after': '0' },
			},
		});
		lab.emulator.injectFault({
			match: { api: 'graph' },
			times: 5,
			fault: { status: 500, body: `upstream said ${forms[1]}`, headers: { 'retry-after': '0' } },
		});
		const proxied = await run(lab, listIncidents, { credentials });
		expect(proxied.error?.message).toMatch(/answered 500/);
		expect(JSON.stringify(proxied.error)).not.toContain(forms[1]);
	});

	it('the capture saw every token the emulator issued, so a leaked one would have been found', async () => {
		const emu = await emulator();
		const issuedByEmulator = emu.requests.filter(
			(request) =>
				request.api === 'login' && request.path.endsWith('/token') && request.status === 200,
		).length;
		expect(issuedTokens.size).toBe(issuedByEmulator);
		expect(issuedTokens.size).toBeGreaterThanOrEqual(5);
		// And the check itself bites: a text carrying a token is reported.
		expect(() => expectNothingSecret([`oops ${[...issuedTokens][0]}`])).toThrow(/leaked/);
	});

	it('no committed test snapshot contains a line of the fixture private key', () => {
		const snapshots: string[] = [];
		const walk = (dir: string) => {
			for (const entry of readdirSync(dir, { withFileTypes: true })) {
				const full = path.join(dir, entry.name);
				if (entry.isDirectory() && entry.name !== 'node_modules') walk(full);
				else if (entry.isFile() && (entry.name.endsWith('.snap') || dir.endsWith('__snapshots__')))
					snapshots.push(full);
			}
		};
		walk(path.join(__dirname, '..'));
		expectNothingSecret(snapshots.map((file) => readFileSync(file, 'utf8')));
	});
});
