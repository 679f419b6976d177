// User → identity response actions (Disable, Enable, Force Password Reset, Revoke Sessions, Require Sign-In
// Again, Mark as Compromised) through Microsoft Graph: what reached the API, protected accounts, refusals.
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import {
	createLab,
	emulator,
	runDefender,
	searchList,
	stopEmulator,
	type Lab,
} from '../support/lab';

interface IdentityEmulator {
	addIdentityAccount(tenantId: string, fields: IDataObject): IDataObject & { id: string };
	addEntraUser(tenantId: string, fields: IDataObject): IDataObject & { id: string };
	identityActions(tenantId: string): IDataObject[];
	entraUserChanges(tenantId: string): IDataObject[];
	getEntraUser(tenantId: string, idOrUpn: string): IDataObject;
	getIdentityAccount(tenantId: string, id: string): IDataObject;
}

const emu = (lab: Lab) => lab.emulator as unknown as IdentityEmulator & Lab['emulator'];
const locator = (mode: string, value: string) => ({ __rl: true, mode, value });
const act = async (
	lab: Lab,
	operation: string,
	account: string | IDataObject,
	extra: INodeParameters = {},
	options: Parameters<typeof runDefender>[2] = {},
) =>
	await runDefender(
		lab,
		{
			resource: 'user',
			operation,
			account: typeof account === 'string' ? locator('id', account) : account,
			...extra,
		} as INodeParameters,
		options,
	);
const graphCalls = (lab: Lab) => lab.calls({ api: 'graph' });
const writes = (lab: Lab) => graphCalls(lab).filter((call) => call.method !== 'GET');

afterAll(stopEmulator);
afterEach(async () => {
	(await emulator()).clearFaults();
});

async function labWithAccounts() {
	const lab = await createLab();
	const e = emu(lab);
	const jdoe = e.addIdentityAccount(lab.tenantId, {
		displayName: 'jdoe',
		domain: 'contoso.local',
		upn: 'jdoe@contoso.com',
		accounts: [{ provider: 'ActiveDirectory' }, { provider: 'EntraID' }],
	});
	const okta = e.addIdentityAccount(lab.tenantId, {
		displayName: 'contractor7',
		domain: 'contoso.local',
		accounts: [{ provider: 'Okta' }],
	});
	return { lab, e, jdoe, okta };
}

describe('Identity response actions', () => {
	it('Disable (Automatic) disables every account of the identity that supports it: Active Directory through invokeAction, Entra ID through /users', async () => {
		const { lab, e, jdoe } = await labWithAccounts();
		const [item] = await act(lab, 'disable', 'CONTOSO\\jdoe');
		const accounts = jdoe.accounts as IDataObject[];
		const ad = accounts.find((a) => a.identityProvider === 'activeDirectory')!;
		const entra = accounts.find((a) => a.identityProvider === 'entraID')!;
		expect(item.json).toMatchObject({
			action: 'disable',
			identityAccountId: jdoe.id,
			displayName: 'jdoe',
			performed: [
				{ identityProvider: 'activeDirectory', accountId: ad.identifier, via: 'invokeAction' },
				{ identityProvider: 'entraID', accountId: entra.identifier, via: 'users' },
			],
		});
		expect((item.json.performed as IDataObject[])[0].correlationId).toMatch(/^[0-9a-f-]{36}$/);
		expect(e.identityActions(lab.tenantId)).toEqual([
			expect.objectContaining({
				identityAccountId: jdoe.id,
				accountId: ad.identifier,
				action: 'disable',
				identityProvider: 'activeDirectory',
			}),
		]);
		expect(e.getEntraUser(lab.tenantId, String(entra.identifier)).accountEnabled).toBe(false);
		expect(e.getIdentityAccount(lab.tenantId, jdoe.id).isEnabled).toBe(false);
		// The list documents $filter and $select only: no $top/$skip reached it.
		const list = graphCalls(lab).find((call) => call.path.endsWith('/identityAccounts'))!;
		expect(Object.keys(list.query)).not.toContain('$top');
		expect(writes(lab).map((call) => `${call.method} ${call.path}`)).toEqual([
			`POST /graph/v1.0/security/identities/identityAccounts/${jdoe.id}/invokeAction`,
			`PATCH /graph/v1.0/users/${String(entra.identifier)}`,
		]);

		await act(lab, 'enable', locator('list', jdoe.id));
		expect(e.getEntraUser(lab.tenantId, String(entra.identifier)).accountEnabled).toBe(true);
		expect(e.identityActions(lab.tenantId).map((a) => a.action)).toEqual(['disable', 'enable']);
	});

	it('Force Password Reset, Revoke Sessions, Require Sign-In Again and Mark as Compromised go to the providers Microsoft documents (Entra ID sign-outs through /users)', async () => {
		const { lab, e, jdoe, okta } = await labWithAccounts();
		await act(lab, 'forcePasswordReset', 'jdoe@contoso.com');
		await act(lab, 'revokeSessions', 'contractor7');
		await act(lab, 'requireSignInAgain', jdoe.id);
		// The invokeAction page names no provider for Mark as Compromised: Automatic refuses, an explicit
		// Identity Provider sends it and lets the service decide.
		await expect(
			act(lab, 'markCompromised', jdoe.onPremisesSecurityIdentifier as string),
		).rejects.toThrow(
			/Cannot mark as compromised .*none of its accounts \(Active Directory, Entra ID\) supports this action/,
		);
		await act(lab, 'markCompromised', jdoe.onPremisesSecurityIdentifier as string, {
			identityProvider: 'entraID',
		});
		expect(
			e
				.identityActions(lab.tenantId)
				.map((a) => [a.identityAccountId, a.identityProvider, a.action]),
		).toEqual([
			[jdoe.id, 'activeDirectory', 'forcePasswordReset'],
			[okta.id, 'okta', 'revokeAllSessions'],
			[jdoe.id, 'entraID', 'markUserAsCompromised'],
		]);
		// Require Sign-In Again on Entra ID: its sessions revoked straight on /users.
		const entra = (jdoe.accounts as IDataObject[]).find((a) => a.identityProvider === 'entraID')!;
		expect(e.entraUserChanges(lab.tenantId)).toEqual([
			expect.objectContaining({ userId: entra.identifier, change: 'revokeSignInSessions' }),
		]);
		// The UPN through its Entra ID user's on-premises SID, then the SID itself (twice): the documented filter.
		const bySid = graphCalls(lab).filter((call) => call.query.$filter !== undefined);
		expect(bySid.map((call) => call.query.$filter)).toEqual(
			Array(3).fill(
				`onPremisesSecurityIdentifier eq '${String(jdoe.onPremisesSecurityIdentifier)}'`,
			),
		);
	});

	it('a UPN is resolved through its Entra ID user (on-premises SID, else object ID), never by display name', async () => {
		const lab = await createLab();
		const e = emu(lab);
		// Microsoft documents displayName as the Active Directory display name: a person's name here.
		const alice = e.addIdentityAccount(lab.tenantId, {
			displayName: 'Alice Smith',
			domain: 'contoso.local',
			upn: 'alice@contoso.onmicrosoft.com',
			samAccountName: 'alice',
			accounts: [{ provider: 'ActiveDirectory' }, { provider: 'EntraID' }],
		});
		const [item] = await act(lab, 'disable', 'alice@contoso.onmicrosoft.com');
		expect(item.json).toMatchObject({ identityAccountId: alice.id, displayName: 'Alice Smith' });
		expect(
			graphCalls(lab)
				.filter((call) => call.method === 'GET')
				.map((call) => [call.path, call.query.$filter]),
		).toEqual([
			['/graph/v1.0/users/alice%40contoso.onmicrosoft.com', undefined],
			[
				'/graph/v1.0/security/identities/identityAccounts',
				`onPremisesSecurityIdentifier eq '${String(alice.onPremisesSecurityIdentifier)}'`,
			],
		]);
		expect(e.identityActions(lab.tenantId)).toHaveLength(1);
		// A cloud-only user has no on-premises SID: its object ID among the accounts' identifiers.
		const cloudOnly = e.addIdentityAccount(lab.tenantId, {
			displayName: 'Bob (Contractor)',
			domain: 'contoso.onmicrosoft.com',
			onPremisesSecurityIdentifier: null,
			upn: 'bob@contoso.onmicrosoft.com',
			accounts: [{ provider: 'EntraID' }],
		});
		const [bob] = await act(lab, 'revokeSessions', 'bob@contoso.onmicrosoft.com');
		expect(bob.json).toMatchObject({
			identityAccountId: cloudOnly.id,
			performed: [{ identityProvider: 'entraID', via: 'users' }],
		});
		await expect(act(lab, 'disable', 'nobody@contoso.onmicrosoft.com')).rejects.toThrow(
			/No Entra ID user has the UPN "nobody@contoso\.onmicrosoft\.com"/,
		);
	});

	it('Identity Provider Entra ID acts on /users by UPN, without Defender for Identity', async () => {
		const lab = await createLab();
		const e = emu(lab);
		const user = e.addEntraUser(lab.tenantId, { userPrincipalName: 'amy@contoso.com' });
		const [item] = await act(lab, 'revokeSessions', 'amy@contoso.com', {
			identityProvider: 'entraID',
		});
		expect(item.json).toMatchObject({
			userId: user.id,
			userPrincipalName: 'amy@contoso.com',
			performed: [{ identityProvider: 'entraID', accountId: user.id, via: 'users' }],
		});
		expect(e.entraUserChanges(lab.tenantId)).toEqual([
			expect.objectContaining({ userId: user.id, change: 'revokeSignInSessions' }),
		]);
		expect(graphCalls(lab).some((call) => call.path.includes('identityAccounts'))).toBe(false);
		await expect(
			act(lab, 'disable', 'CONTOSO\\amy', { identityProvider: 'entraID' }),
		).rejects.toThrow(/not an Entra ID user.*UPN/);
	});

	it('an account that matches none or several identities fails with what was found, and nothing is changed', async () => {
		const { lab, e } = await labWithAccounts();
		e.addIdentityAccount(lab.tenantId, { displayName: 'jdoe', domain: 'fabrikam.local' });
		await expect(act(lab, 'disable', 'jdoe')).rejects.toThrow(
			/2 identity accounts match "jdoe": contoso\.local\\jdoe \(ID [0-9a-f-]+\); fabrikam\.local\\jdoe/,
		);
		await expect(act(lab, 'disable', 'nobody')).rejects.toThrow(
			/No identity account matches "nobody"/,
		);
		const [other] = await act(lab, 'disable', 'WOODGROVE\\jdoe', {}, { continueOnFail: true });
		expect(other.json.error).toMatch(/No identity account matches "WOODGROVE\\jdoe"/);
		expect(String(other.json.description)).toMatch(
			/In other domains: contoso\.local\\jdoe \(ID [0-9a-f-]+\); fabrikam\.local\\jdoe/,
		);
		await expect(act(lab, 'disable', 'a b')).rejects.toThrow(/is not an account/);
		expect(writes(lab)).toHaveLength(0);
		await act(lab, 'disable', 'FABRIKAM\\jdoe');
		expect(e.identityActions(lab.tenantId)).toHaveLength(1);
	});

	it('Protected Accounts: refused before anything is sent when the input matches, before any change when the resolved account does', async () => {
		const { lab, e } = await labWithAccounts();
		e.addIdentityAccount(lab.tenantId, { displayName: 'admin-bob', domain: 'contoso.local' });
		const credentials = {
			...lab.credentials,
			protectedAccounts: '*@exec.contoso.com\nCONTOSO\\admin*',
		};
		await expect(act(lab, 'disable', 'ceo@exec.contoso.com', {}, { credentials })).rejects.toThrow(
			/Account "ceo@exec\.contoso\.com" is protected: its account "ceo@exec\.contoso\.com" matches the rule "\*@exec\.contoso\.com" in the credential's Protected Accounts/,
		);
		expect(graphCalls(lab)).toHaveLength(0);
		await expect(act(lab, 'forcePasswordReset', 'admin-bob', {}, { credentials })).rejects.toThrow(
			/matches the rule "CONTOSO\\admin\*"/,
		);
		expect(writes(lab)).toHaveLength(0);
		expect(e.identityActions(lab.tenantId)).toHaveLength(0);
		// Identity accounts carry no UPN: a UPN rule still protects an identity named without it.
		e.addIdentityAccount(lab.tenantId, {
			displayName: 'ceo',
			domain: 'contoso.local',
			upn: 'ceo@exec.contoso.com',
			accounts: [{ provider: 'ActiveDirectory' }, { provider: 'EntraID' }],
		});
		await expect(act(lab, 'disable', 'ceo', {}, { credentials })).rejects.toThrow(
			/its account "ceo@exec\.contoso\.com" matches the rule "\*@exec\.contoso\.com"/,
		);
		await expect(
			act(lab, 'disable', 'ceo', { identityProvider: 'activeDirectory' }, { credentials }),
		).rejects.toThrow(/is protected/);
		expect(writes(lab)).toHaveLength(0);
		await act(lab, 'disable', 'jdoe', {}, { credentials });
		expect(e.identityActions(lab.tenantId)).toHaveLength(1);
	});

	it('an action no account supports, a refusal by the service and a 5xx: plain errors, and a state-changing call is sent once', async () => {
		const { lab, e, okta } = await labWithAccounts();
		await expect(act(lab, 'markCompromised', 'contractor7')).rejects.toThrow(
			/Cannot mark as compromised "contractor7" .*none of its accounts \(Okta\) supports this action/,
		);
		expect(writes(lab)).toHaveLength(0);
		await expect(
			act(lab, 'forcePasswordReset', okta.id, { identityProvider: 'okta' }),
		).rejects.toThrow(/Microsoft refused to force a password reset of the Okta account/);
		expect(writes(lab)).toHaveLength(1);
		await expect(
			act(lab, 'disable', okta.id, { identityProvider: 'activeDirectory' }),
		).rejects.toThrow(/has no Active Directory account \(it has: Okta\)/);
		lab.emulator.injectFault({
			match: { method: 'POST', api: 'graph', path: '/invokeAction' },
			fault: { status: 503 },
		});
		const [failed] = await act(lab, 'disable', okta.id, {}, { continueOnFail: true });
		expect(String(failed.json.error)).toMatch(/503|server error/i);
		expect(writes(lab)).toHaveLength(2);
		expect(e.identityActions(lab.tenantId)).toHaveLength(0);
	});

	it('a missing Graph permission is named: the action, then the Entra ID call', async () => {
		const lab = await createLab({
			roles: { graph: ['SecurityIdentitiesAccount.Read.All', 'User.Read.All'] },
		});
		emu(lab).addIdentityAccount(lab.tenantId, {
			displayName: 'jdoe',
			accounts: [{ provider: 'ActiveDirectory' }],
		});
		emu(lab).addEntraUser(lab.tenantId, { userPrincipalName: 'amy@contoso.com' });
		await expect(act(lab, 'disable', 'jdoe')).rejects.toThrow(
			/lacks the application permission SecurityIdentitiesActions\.ReadWrite\.All/,
		);
		await expect(
			act(lab, 'enable', 'amy@contoso.com', { identityProvider: 'entraID' }),
		).rejects.toThrow(/lacks the application permission User\.EnableDisableAccount\.All/);
		await expect(
			act(lab, 'revokeSessions', 'amy@contoso.com', { identityProvider: 'entraID' }),
		).rejects.toThrow(/lacks the application permission User\.RevokeSessions\.All/);
	});

	it('identity actions of Defender for Identity are refused in US GCC High and DoD (no identityAccounts in their Graph) before any call', async () => {
		const { lab } = await labWithAccounts();
		for (const cloud of ['usGccHigh', 'usDod'])
			await expect(
				act(lab, 'disable', 'jdoe', {}, { credentials: { ...lab.credentials, cloud } }),
			).rejects.toThrow(/US GCC High and US DoD have no identityAccounts/);
		expect(lab.calls()).toHaveLength(0);
	});

	it('the Account list searches identity accounts by name and pages by the service’s nextLink', async () => {
		const { lab, e, jdoe } = await labWithAccounts();
		for (let i = 0; i < 120; i++)
			e.addIdentityAccount(lab.tenantId, { displayName: `user${i}`, domain: 'contoso.local' });
		const { results } = await searchList(lab, {
			method: 'searchIdentityAccounts',
			parameterName: 'account',
			parameters: { resource: 'user', operation: 'disable' },
			filter: 'JDOE',
		});
		expect(results).toEqual([
			{ name: 'contoso.local\\jdoe (Active Directory, Entra ID)', value: jdoe.id },
		]);
		const all = await searchList(lab, {
			method: 'searchIdentityAccounts',
			parameterName: 'account',
			parameters: { resource: 'user', operation: 'disable' },
		});
		expect(all.results).toHaveLength(100);
		expect(all.paginationToken).toBeDefined();
		const more = await searchList(lab, {
			method: 'searchIdentityAccounts',
			parameterName: 'account',
			parameters: { resource: 'user', operation: 'disable' },
			paginationToken: all.paginationToken,
		});
		expect(more.results).toHaveLength(22);
		expect(more.paginationToken).toBeUndefined();
		expect(
			graphCalls(lab).every(
				(call) => call.query.$top === undefined && call.query.$skip === undefined,
			),
		).toBe(true);
		// A name is found anywhere in the pages the service sizes (user70 is the 73rd of the first 100).
		const before = graphCalls(lab).length;
		const [item] = await act(lab, 'disable', 'CONTOSO\\user70');
		expect(item.json.displayName).toBe('user70');
		expect(
			graphCalls(lab)
				.slice(before)
				.map((call) => call.method),
		).toEqual(['GET', 'GET', 'POST']);
	});

	it('a name in a directory larger than the node reads is not acted on: it cannot be proven unique', async () => {
		const { lab, e } = await labWithAccounts();
		for (let i = 0; i < 5_000; i++)
			e.addIdentityAccount(lab.tenantId, { displayName: `bulk${i}`, domain: 'contoso.local' });
		await expect(act(lab, 'disable', 'jdoe')).rejects.toThrow(
			/Cannot tell which identity account "jdoe" is: Defender for Identity lists more than 5000/,
		);
		expect(writes(lab)).toHaveLength(0);
		expect(graphCalls(lab)).toHaveLength(50);
	});
});
