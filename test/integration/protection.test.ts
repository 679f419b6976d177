// Protected Devices / Accounts hold for every request made with the credential, not only for the
// Microsoft Defender node: here n8n's own request helper (requestWithAuthentication, what the HTTP Request
// node calls with Authentication → Predefined Credential Type) sends requests with the credential.
import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
} from 'n8n-workflow';

import { runNode } from '../harness/n8n';
import {
	createLab,
	credentialType,
	emulator,
	runDefender,
	stopEmulator,
	type Lab,
} from '../support/lab';

/** Sends one request as the HTTP Request node does: legacy options with `uri`, through n8n-core's helper. */
class HttpRequestStandIn implements INodeType {
	description: INodeType['description'] = {
		displayName: 'HTTP Request stand-in',
		name: 'httpRequestStandIn',
		group: ['output'],
		version: 1,
		description: 'Sends one request with the credential',
		defaults: { name: 'HTTP Request' },
		inputs: ['main'],
		outputs: ['main'],
		credentials: [{ name: 'microsoftDefenderApi', required: true }],
		properties: [
			{ displayName: 'Method', name: 'method', type: 'string', default: 'GET' },
			{ displayName: 'URL', name: 'url', type: 'string', default: '' },
			{ displayName: 'Body', name: 'body', type: 'json', default: '' },
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const raw = this.getNodeParameter('body', 0, '') as string;
		// A JSON body goes as an object (json: true), as the HTTP Request node sends it; "raw:" as text.
		const body: IDataObject | string = raw.startsWith('raw:')
			? raw.slice(4)
			: raw === ''
				? ''
				: (JSON.parse(raw) as IDataObject);
		const answer = (await this.helpers.requestWithAuthentication.call(
			this,
			'microsoftDefenderApi',
			{
				method: this.getNodeParameter('method', 0) as 'POST',
				uri: this.getNodeParameter('url', 0) as string,
				body: body === '' ? undefined : body,
				json: typeof body !== 'string',
				headers: typeof body === 'string' ? { 'content-type': 'application/json' } : undefined,
			},
		)) as IDataObject | string;
		return [[{ json: typeof answer === 'string' ? { answer } : answer }]];
	}
}

const httpRequest = new HttpRequestStandIn();

interface ProtectionEmulator {
	addMachine(tenantId: string, fields: IDataObject): IDataObject & { id: string };
	listMachineActions(tenantId: string): IDataObject[];
	getMachine(tenantId: string, id: string): IDataObject & { machineTags: string[] };
	addIdentityAccount(tenantId: string, fields: IDataObject): IDataObject & { id: string };
	identityActions(tenantId: string): IDataObject[];
	entraUserChanges(tenantId: string): IDataObject[];
	injectFault(fault: IDataObject): void;
	clearFaults(): void;
}

const emu = (lab: Lab) => lab.emulator as unknown as ProtectionEmulator;

async function send(
	credentials: ICredentialDataDecryptedObject,
	method: string,
	url: string,
	body: IDataObject | string = '',
	n8nMajor: 1 | 2 = 2,
): Promise<IDataObject> {
	const [[item]] = await runNode({
		nodeType: httpRequest,
		credentialType,
		credentials,
		parameters: { method, url, body: typeof body === 'string' ? body : JSON.stringify(body) },
		n8nMajor,
	});
	return item.json;
}

async function protectedLab() {
	const lab = await createLab();
	const vip = emu(lab).addMachine(lab.tenantId, {
		computerDnsName: 'ceo-laptop.contoso.local',
		machineTags: ['VIP'],
	});
	const db = emu(lab).addMachine(lab.tenantId, {
		computerDnsName: 'srv-db01.contoso.local',
		machineTags: [],
	});
	const plain = emu(lab).addMachine(lab.tenantId, {
		computerDnsName: 'ws-42.contoso.local',
		machineTags: [],
	});
	const credentials = { ...lab.credentials, protectedDevices: 'tag:vip\nname:srv-db01*' };
	const mde = lab.emulator.endpointApiUrl;
	return { lab, vip, db, plain, credentials, mde };
}

const VIP_REFUSED =
	/^Device ceo-laptop\.contoso\.local is protected: its tag "VIP" matches the rule "tag:vip" in the credential's Protected Devices, so no response action runs on it\./;
const writesTo = (lab: Lab, api: string) =>
	lab.calls({ api }).filter((call) => call.method !== 'GET');

afterAll(stopEmulator);
afterEach(async () => {
	(await emulator()).clearFaults();
});

describe('Protected Devices through the HTTP Request node', () => {
	it('refuses every documented device action on a protected device, whatever the path case, before sending it', async () => {
		const { lab, vip, db, credentials, mde } = await protectedLab();
		const attempts: Array<[string, string, IDataObject | string]> = [
			['POST', `${mde}/api/machines/${vip.id}/isolate`, { Comment: 'x', IsolationType: 'Full' }],
			['POST', `${mde}/API/Machines/${vip.id.toUpperCase()}/Isolate`, { Comment: 'x' }],
			['POST', `${mde}/api/machines/${vip.id}/runAntiVirusScan`, { Comment: 'x' }],
			['POST', `${mde}/api/machines/${vip.id}/restrictCodeExecution`, { Comment: 'x' }],
			['POST', `${mde}/api/machines/${vip.id}/collectInvestigationPackage`, { Comment: 'x' }],
			[
				'POST',
				`${mde}/api/machines/${vip.id}/StopAndQuarantineFile`,
				{ Comment: 'x', Sha1: '3395856ce81f2b7382dee72602f798b642f14140' },
			],
			['POST', `${mde}/api/machines/${vip.id}/runliveresponse`, { Comment: 'x', Commands: [] }],
			['POST', `${mde}/api/machines/${vip.id}/offboard`, { Comment: 'x' }],
			['POST', `${mde}/api/machines/${vip.id}/startInvestigation`, { Comment: 'x' }],
			['POST', `${mde}/api/machines/${vip.id}/tags`, { Value: 'VIP', Action: 'Remove' }],
			// Defender binds JSON keys case-insensitively; a raw (string) body is read too.
			['POST', `${mde}/api/machines/${vip.id}/tags`, 'raw:{"value":"VIP","action":"remove"}'],
			['PATCH', `${mde}/api/machines/${vip.id}`, { machineTags: [] }],
			// A percent-encoded slash cannot hide the action.
			['POST', `${mde}/api/machines/${vip.id}%2Fisolate`, { Comment: 'x' }],
		];
		for (const [method, url, body] of attempts) {
			await expect(send(credentials, method, url, body)).rejects.toThrow(VIP_REFUSED);
		}
		await expect(
			send(credentials, 'POST', `${mde}/api/machines/${db.id}/isolate`, { Comment: 'x' }),
		).rejects.toThrow(
			/^Device srv-db01\.contoso\.local is protected: its name "srv-db01\.contoso\.local" matches the rule "name:srv-db01\*"/,
		);
		// A method override header cannot make a change look like a read.
		await expect(
			credentialType.authenticate(credentials, {
				method: 'POST',
				url: `${mde}/api/machines/${vip.id}/isolate`,
				headers: { 'X-HTTP-Method-Override': 'GET' },
				body: { Comment: 'x' },
			}),
		).rejects.toThrow(VIP_REFUSED);
		// The Defender for Endpoint API also answers under the Defender XDR API's URL.
		await expect(
			send(credentials, 'POST', `${lab.emulator.defenderApiUrl}/api/machines/${vip.id}/isolate`, {
				Comment: 'x',
			}),
		).rejects.toThrow(/^(Device ceo-laptop\.contoso\.local is protected|Cannot check device)/);
		expect(writesTo(lab, 'mde')).toEqual([]);
		expect(writesTo(lab, 'xdr')).toEqual([]);
		expect(emu(lab).listMachineActions(lab.tenantId)).toEqual([]);
		expect(emu(lab).getMachine(lab.tenantId, vip.id).machineTags).toEqual(['VIP']);
	});

	it('gives the message the Microsoft Defender node gives, on n8n 1.x too', async () => {
		const { lab, vip, credentials, mde } = await protectedLab();
		const [fromNode] = await runDefender(
			lab,
			{
				resource: 'machine',
				operation: 'isolate',
				machineId: { __rl: true, mode: 'id', value: vip.id },
				comment: 'x',
			},
			{ credentials, continueOnFail: true },
		);
		expect(fromNode.json.error).toMatch(VIP_REFUSED);
		for (const n8nMajor of [1, 2] as const) {
			const refusal = await send(
				credentials,
				'POST',
				`${mde}/api/machines/${vip.id}/isolate`,
				{ Comment: 'x' },
				n8nMajor,
			).catch((error: Error) => error);
			expect((refusal as Error).message).toBe(fromNode.json.error);
		}
		expect(emu(lab).listMachineActions(lab.tenantId)).toEqual([]);
	});

	it('isolates an unprotected device; Release, Remove App Restriction and Add Tag stay allowed on a protected one', async () => {
		const { lab, vip, plain, credentials, mde } = await protectedLab();
		const isolated = await send(credentials, 'POST', `${mde}/api/machines/${plain.id}/isolate`, {
			Comment: 'contain',
			IsolationType: 'Full',
		});
		expect(isolated).toMatchObject({ type: 'Isolate', machineId: plain.id, status: 'Pending' });
		const released = await send(credentials, 'POST', `${mde}/api/machines/${vip.id}/unisolate`, {
			Comment: 'x',
		});
		expect(released).toMatchObject({ type: 'Unisolate', machineId: vip.id });
		const unrestricted = await send(
			credentials,
			'POST',
			`${mde}/api/machines/${vip.id}/unrestrictCodeExecution`,
			{ Comment: 'x' },
		);
		expect(unrestricted).toMatchObject({ type: 'UnrestrictCodeExecution', machineId: vip.id });
		const tagged = await send(credentials, 'POST', `${mde}/api/machines/${vip.id}/tags`, {
			Value: 'watch',
			Action: 'Add',
		});
		expect(tagged.machineTags).toEqual(['VIP', 'watch']);
		expect(
			emu(lab)
				.listMachineActions(lab.tenantId)
				.map((action) => action.type),
		).toEqual(expect.arrayContaining(['Isolate', 'Unisolate', 'UnrestrictCodeExecution']));
	});

	it('refuses when the device cannot be read (unknown ID, server error), and a bulk tag removal', async () => {
		const { lab, vip, credentials, mde } = await protectedLab();
		await expect(
			send(credentials, 'POST', `${mde}/api/machines/${'b'.repeat(40)}/isolate`, {
				Comment: 'x',
			}),
		).rejects.toThrow(
			new RegExp(
				`^Cannot check device ${'b'.repeat(40)} against the credential's Protected Devices: reading it \\(GET /api/machines/${'b'.repeat(40)}\\) answered 404\\. Nothing was sent\\.`,
			),
		);
		emu(lab).injectFault({ match: { api: 'mde', method: 'GET' }, fault: { status: 500 } });
		await expect(
			send(credentials, 'POST', `${mde}/api/machines/${vip.id}/runAntiVirusScan`, {
				Comment: 'x',
			}),
		).rejects.toThrow(/^Cannot check device .* answered 500\. Nothing was sent\./);
		emu(lab).clearFaults();
		await expect(
			send(credentials, 'POST', `${mde}/api/machines/AddOrRemoveTagForMultipleMachines`, {
				Value: 'VIP',
				Action: 'Remove',
				MachineIds: [vip.id],
			}),
		).rejects.toThrow(/^Refused while the credential has Protected Devices: a tag change/);
		expect(writesTo(lab, 'mde')).toEqual([]);
		expect(emu(lab).listMachineActions(lab.tenantId)).toEqual([]);
	});

	it('costs nothing without rules, and the node reads the device once per action', async () => {
		const { lab, plain, credentials, mde } = await protectedLab();
		await send(lab.credentials, 'POST', `${mde}/api/machines/${plain.id}/isolate`, {
			Comment: 'x',
		});
		expect(lab.calls({ api: 'mde', method: 'GET' })).toEqual([]);
		await runDefender(
			lab,
			{
				resource: 'machine',
				operation: 'runAntivirusScan',
				machineId: { __rl: true, mode: 'id', value: plain.id },
				comment: 'x',
			},
			{ credentials },
		);
		expect(
			lab
				.calls({ api: 'mde', method: 'GET' })
				.filter((call) => call.path.endsWith(`/api/machines/${plain.id}`)),
		).toHaveLength(1);
	});
});

describe('Protected Accounts through the HTTP Request node', () => {
	it('refuses invokeAction, PATCH /users/{id} and revokeSignInSessions on a protected account, before sending', async () => {
		const lab = await createLab();
		const ceo = emu(lab).addIdentityAccount(lab.tenantId, {
			displayName: 'ceo',
			domain: 'contoso.local',
			upn: 'ceo@exec.contoso.com',
			accounts: [{ provider: 'ActiveDirectory' }, { provider: 'EntraID' }],
		});
		const jdoe = emu(lab).addIdentityAccount(lab.tenantId, {
			displayName: 'jdoe',
			domain: 'contoso.local',
			upn: 'jdoe@contoso.com',
			accounts: [{ provider: 'ActiveDirectory' }],
		});
		const credentials = { ...lab.credentials, protectedAccounts: '*@exec.contoso.com' };
		const graph = `${lab.emulator.graphApiUrl}/v1.0`;
		const ad = (ceo.accounts as IDataObject[]).find(
			(account) => account.identityProvider === 'activeDirectory',
		)!;
		const protectedAccount =
			/is protected: its account "ceo@exec\.contoso\.com" matches the rule "\*@exec\.contoso\.com" in the credential's Protected Accounts/;
		await expect(
			send(
				credentials,
				'POST',
				`${graph}/security/identities/identityAccounts/${ceo.id}/invokeAction`,
				{
					accountId: ad.identifier,
					action: 'disable',
					identityProvider: 'activeDirectory',
				},
			),
		).rejects.toThrow(protectedAccount);
		for (const [method, path, body] of [
			['PATCH', '/users/ceo@exec.contoso.com', { accountEnabled: false }],
			['POST', '/USERS/ceo%40exec.contoso.com/revokeSignInSessions', {}],
		] as const) {
			await expect(send(credentials, method, `${graph}${path}`, body)).rejects.toThrow(
				protectedAccount,
			);
		}
		expect(writesTo(lab, 'graph')).toEqual([]);
		expect(emu(lab).identityActions(lab.tenantId)).toEqual([]);
		expect(emu(lab).entraUserChanges(lab.tenantId)).toEqual([]);

		const jdoeAd = (jdoe.accounts as IDataObject[])[0];
		await send(
			credentials,
			'POST',
			`${graph}/security/identities/identityAccounts/${jdoe.id}/invokeAction`,
			{
				accountId: jdoeAd.identifier,
				action: 'disable',
				identityProvider: 'activeDirectory',
			},
		);
		expect(emu(lab).identityActions(lab.tenantId)).toHaveLength(1);
		await expect(
			send(
				credentials,
				'POST',
				`${graph}/security/identities/identityAccounts/${'0'.repeat(8)}-0000-0000-0000-000000000000/invokeAction`,
				{
					accountId: 'x',
					action: 'disable',
					identityProvider: 'activeDirectory',
				},
			),
		).rejects.toThrow(/^Cannot check identity account .* answered 404\. Nothing was sent\./);
		expect(emu(lab).identityActions(lab.tenantId)).toHaveLength(1);
	});
});
