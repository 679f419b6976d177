/**
 * The process-wide token cache, observed where it matters: at the emulated Entra ID token endpoint,
 * through n8n-core, real MSAL and real HTTPS. Every test makes its own lab (tenant + app + secret),
 * so the cache entries of earlier tests in this file never serve a later one.
 */
import { randomUUID } from 'node:crypto';

import type { INodeParameters } from 'n8n-workflow';

import {
	createLab,
	emulator,
	runDefender,
	stopEmulator,
	type EmulatorRequest,
	type Lab,
} from '../support/lab';

const listOne = (api = 'graph', tenantId?: string): INodeParameters => ({
	api,
	resource: 'incident',
	operation: 'getAll',
	returnAll: false,
	limit: 1,
	...(tenantId ? { options: { tenantId } } : {}),
});

/** The emulator's log from `mark` on (one test file = one emulator; its tests run one at a time). */
const since = (lab: Lab, mark: number): EmulatorRequest[] => lab.emulator.requests.slice(mark);
const tokenCalls = (requests: EmulatorRequest[]) =>
	requests.filter(
		(request) => request.api === 'login' && request.path.endsWith('/oauth2/v2.0/token'),
	);
const apiCalls = (requests: EmulatorRequest[], api: string) =>
	requests.filter((request) => request.api === api);
const sleep = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms));

afterEach(async () => {
	const emu = await emulator();
	emu.clearFaults();
	emu.setTokenLifetime(3599);
});
afterAll(stopEmulator);

describe('token cache (through n8n-core, real MSAL, emulated Entra ID)', () => {
	it('serves 20 concurrent executions with a single token request', async () => {
		const lab = await createLab();
		lab.emulator.seedIncidents(lab.tenantId, 3);
		const outputs = await Promise.all(
			Array.from({ length: 20 }, async () => await runDefender(lab, listOne())),
		);
		expect(outputs.map((items) => items.length)).toEqual(Array(20).fill(1));
		expect(lab.tokenRequests()).toBe(1);
		expect(lab.calls({ api: 'graph', status: 200 })).toHaveLength(20);
	});

	it('reuses a token until its refresh point, then gets a new one before the API would refuse the old', async () => {
		const lab = await createLab();
		lab.emulator.setTokenLifetime(2); // refresh point = 90 % of the lifetime (MSAL rounds expiry to whole seconds)
		await runDefender(lab, listOne());
		await runDefender(lab, listOne());
		expect(lab.tokenRequests()).toBe(1);

		await sleep(2_500); // past the refresh point and past the token's expiry at the emulator
		expect(await runDefender(lab, listOne())).toEqual([]);
		expect(lab.tokenRequests()).toBe(2);
		// Renewed proactively: the expired token was never sent.
		expect(lab.calls({ api: 'graph', status: 401 })).toHaveLength(0);
	});

	it('after the API rejects a revoked token (401), gets exactly one new token and the call succeeds', async () => {
		const lab = await createLab();
		lab.emulator.createIncident(lab.tenantId, { title: 'After revocation' });
		await runDefender(lab, listOne());
		lab.emulator.revokeTokens();
		const mark = lab.emulator.requests.length;

		const items = await runDefender(lab, listOne());
		expect(items.map((item) => item.json.title)).toEqual(['After revocation']);
		const log = since(lab, mark);
		expect(tokenCalls(log)).toHaveLength(1);
		expect(apiCalls(log, 'graph').map((request) => request.status)).toEqual([401, 200]);
		expect(lab.tokenRequests()).toBe(2);
	});

	it('gives up with a clear error when the new token is refused too (no endless loop)', async () => {
		const lab = await createLab();
		await runDefender(lab, listOne());
		lab.emulator.injectFault({ match: { api: 'graph' }, times: 5, fault: { status: 401 } });
		const mark = lab.emulator.requests.length;

		await expect(runDefender(lab, listOne())).rejects.toThrow(
			/Microsoft Graph.*rejected the access token twice \(401\)/,
		);
		const log = since(lab, mark);
		expect(apiCalls(log, 'graph').map((request) => request.status)).toEqual([401, 401]);
		expect(tokenCalls(log)).toHaveLength(1);

		// The faults left over are not for this test: the credential still works once the API accepts tokens.
		lab.emulator.clearFaults();
		expect(await runDefender(lab, listOne())).toEqual([]);
	});

	it('uses a rotated secret at once, and the old secret fails with AADSTS7000215', async () => {
		const lab = await createLab();
		await runDefender(lab, listOne());
		const newSecret = `Rotated~${randomUUID()}`;
		lab.emulator.rotateSecret(lab.clientId, newSecret);
		const rotated = { ...lab.credentials, clientSecret: newSecret };

		const mark = lab.emulator.requests.length;
		expect(await runDefender(lab, listOne(), { credentials: rotated })).toEqual([]);
		expect(tokenCalls(since(lab, mark)).map((request) => request.status)).toEqual([200]);
		expect(apiCalls(since(lab, mark), 'graph').map((request) => request.status)).toEqual([200]);

		// Tokens issued for the old secret stay valid until they expire (as in Entra ID); once they are
		// revoked, the old secret has to sign in again, and is refused in plain words.
		lab.emulator.revokeTokens();
		const failure = runDefender(lab, listOne());
		await expect(failure).rejects.toThrow(/AADSTS7000215.*client secret is wrong/);
		await expect(failure).rejects.not.toThrow(lab.secret);
		expect(await runDefender(lab, listOne(), { credentials: rotated })).toEqual([]);
	});

	it('never shares a token between tenants or between APIs', async () => {
		const lab = await createLab();
		const tenantB = lab.addTenant();
		lab.emulator.createIncident(lab.tenantId, { title: 'Incident of tenant A' });
		lab.emulator.createIncident(tenantB, { title: 'Incident of tenant B' });

		for (const api of ['graph', 'defenderXdr']) {
			for (const [tenant, title] of [
				[lab.tenantId, 'Incident of tenant A'],
				[tenantB, 'Incident of tenant B'],
			]) {
				const mark = lab.emulator.requests.length;
				const items = await runDefender(
					lab,
					listOne(api, tenant === lab.tenantId ? undefined : tenant),
				);
				expect(items.map((item) => item.json.title)).toEqual([title]);
				const log = since(lab, mark);
				// A token for another tenant or API would have been refused (401) before a new one was asked for.
				expect(tokenCalls(log).map((request) => [request.path, request.status])).toEqual([
					[`/${tenant}/oauth2/v2.0/token`, 200],
				]);
				expect(
					apiCalls(log, api === 'graph' ? 'graph' : 'xdr').map((request) => [
						request.tenant,
						request.status,
					]),
				).toEqual([[tenant, 200]]);
			}
		}
		// Each of the four (tenant, API) tokens is cached on its own: running all four again asks for none.
		const mark = lab.emulator.requests.length;
		for (const api of ['graph', 'defenderXdr']) {
			await runDefender(lab, listOne(api));
			await runDefender(lab, listOne(api, tenantB));
		}
		expect(tokenCalls(since(lab, mark))).toHaveLength(0);
		expect(lab.tokenRequests()).toBe(4);
	});
});
