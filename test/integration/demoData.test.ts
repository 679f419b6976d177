// What a user trying the investigate and respond operations in `npm run demo` gets from the seeded emulator.
import type { ICredentialDataDecryptedObject, IDataObject, INodeParameters } from 'n8n-workflow';

import { startEmulator, type Emulator } from '../emulator';
import { runDefender } from '../support/lab';

let emu: Emulator;
let credentials: ICredentialDataDecryptedObject;

beforeAll(async () => {
	emu = await startEmulator();
	const demo = emu.seedDemo();
	credentials = {
		cloud: 'custom',
		authorityUrl: emu.authorityUrl,
		defenderApiUrl: emu.defenderApiUrl,
		graphApiUrl: emu.graphApiUrl,
		endpointApiUrl: emu.endpointApiUrl,
		quotaWindowSeconds: 1,
		tenantId: demo.tenantId,
		clientId: demo.clientId,
		authentication: 'clientSecret',
		clientSecret: demo.clientSecret,
	};
});
afterAll(async () => await emu.stop());

const run = async (parameters: INodeParameters) =>
	(await runDefender({ credentials }, parameters)).map((item) => item.json);
const rl = (value: string) => ({ __rl: true, mode: 'id', value });

describe('demo data', () => {
	it('every investigate operation finds something', async () => {
		const [workstation] = await run({ resource: 'machine', operation: 'getAll', limit: 1 });
		const device = rl(String(workstation.id));
		expect(
			await run({ resource: 'machine', operation: 'getLogonUsers', machineId: device }),
		).toEqual(expect.arrayContaining([expect.objectContaining({ accountName: 'jdoe' })]));
		expect(
			await run({ resource: 'ip', operation: 'getDevices', ip: String(workstation.lastIpAddress) }),
		).toEqual([expect.objectContaining({ id: workstation.id })]);
		expect(
			(await run({ resource: 'ip', operation: 'getStatistics', ip: '203.0.113.66' }))[0],
		).toMatchObject({ orgPrevalence: 2 });
		expect(
			await run({
				resource: 'file',
				operation: 'getDevices',
				sha: '5d41402abc4b2a76b9719d911017c592aef4a1e3',
			}),
		).toHaveLength(2);
		expect(
			await run({ resource: 'domain', operation: 'getDevices', domain: 'malicious.example' }),
		).toHaveLength(1);
		expect(
			(await run({ resource: 'vulnerability', operation: 'getAll', returnAll: true })).map(
				(cve: IDataObject) => cve.id,
			),
		).toEqual(expect.arrayContaining(['CVE-2024-21412', 'CVE-2025-0611']));
		expect(
			await run({
				resource: 'software',
				operation: 'getMissingKbs',
				softwareId: rl('microsoft-_-windows_server_2022'),
			}),
		).toHaveLength(1);
		expect(
			await run({
				resource: 'recommendation',
				operation: 'getDevices',
				recommendationId: rl('va-_-google-_-chrome'),
			}),
		).toHaveLength(1);
		expect((await run({ resource: 'exposureScore', operation: 'get' }))[0]).toMatchObject({
			score: 42.5,
		});
		expect(await run({ resource: 'investigation', operation: 'getAll' })).toHaveLength(1);
		expect(await run({ resource: 'liveResponseLibrary', operation: 'getAll' })).toEqual([
			expect.objectContaining({ fileName: 'collect-triage.ps1' }),
		]);
		expect(await run({ resource: 'user', operation: 'getDevices', account: 'jdoe' })).toHaveLength(
			2,
		);
	});

	it('the User actions act on the seeded identity accounts', async () => {
		const [disabled] = await run({
			resource: 'user',
			operation: 'disable',
			account: rl('jdoe@contoso.example'),
		});
		expect((disabled.performed as IDataObject[]).map((done) => done.identityProvider)).toEqual([
			'activeDirectory',
			'entraID',
		]);
		const [revoked] = await run({
			resource: 'user',
			operation: 'revokeSessions',
			account: rl('contractor7'),
		});
		expect(revoked.performed).toEqual([expect.objectContaining({ identityProvider: 'okta' })]);
		const [signedOut] = await run({
			resource: 'user',
			operation: 'requireSignInAgain',
			account: rl('ceo@contoso.example'),
			identityProvider: 'entraID',
		});
		expect(signedOut).toMatchObject({ userPrincipalName: 'ceo@contoso.example' });
	});
});
