import { randomUUID } from 'node:crypto';

import { runCredentialTest } from '../harness/n8n';
import {
	CLIENT_CERT_PEM,
	CLIENT_KEY_PEM,
	createLab,
	credentialType,
	emulator,
	node,
	stopEmulator,
} from '../support/lab';

const test = async (credentials: Record<string, unknown>) =>
	await runCredentialTest(node, 'microsoftDefenderApiTest', credentials as never, credentialType);

afterAll(stopEmulator);

describe('credential Test button (through n8n-core, real MSAL, emulated Entra ID)', () => {
	it('connects with a client secret and lists the granted roles per API', async () => {
		const lab = await createLab();
		const result = await test(lab.credentials);
		expect(result.status).toBe('OK');
		expect(result.message).toBe(
			'Connected — granted: Defender XDR API: Incident.ReadWrite.All, AdvancedHunting.Read.All; ' +
				'Microsoft Graph security API: SecurityIncident.ReadWrite.All, ThreatHunting.Read.All, SecurityAlert.ReadWrite.All, ' +
				'SecurityIdentitiesAccount.Read.All, SecurityIdentitiesActions.ReadWrite.All, User.Read.All, User.EnableDisableAccount.All, User.RevokeSessions.All; ' +
				'Defender for Endpoint API: Machine.ReadWrite.All, Machine.Isolate, Machine.Scan, Machine.RestrictExecution, Machine.CollectForensics, Machine.StopAndQuarantine, Alert.ReadWrite.All, Ti.ReadWrite.All, ' +
				'Machine.LiveResponse, Library.Manage, User.Read.All, Vulnerability.Read.All, Software.Read.All, SecurityRecommendation.Read.All, File.Read.All, Ip.Read.All, URL.Read.All, Score.Read.All.',
		);
	});

	it('connects with a certificate given as PEM (x5t#S256) and as a SHA-1 thumbprint (x5t)', async () => {
		const lab = await createLab();
		const base = {
			...lab.credentials,
			authentication: 'certificate',
			clientSecret: '',
			certificatePrivateKey: CLIENT_KEY_PEM,
		};
		expect((await test({ ...base, certificate: CLIENT_CERT_PEM })).status).toBe('OK');
		const { X509Certificate } = await import('node:crypto');
		const sha1 = new X509Certificate(CLIENT_CERT_PEM).fingerprint;
		expect((await test({ ...base, certificate: '', certificateThumbprint: sha1 })).status).toBe(
			'OK',
		);
	});

	it('explains a wrong secret (AADSTS7000215) without echoing it', async () => {
		const lab = await createLab();
		const wrong = `Wrong~${randomUUID()}`;
		const result = await test({ ...lab.credentials, clientSecret: wrong });
		expect(result.status).toBe('Error');
		expect(result.message).toContain('AADSTS7000215');
		expect(result.message).toMatch(/client secret is wrong/i);
		expect(result.message).not.toContain(wrong);
	});

	it('explains an expired secret (AADSTS7000222)', async () => {
		const emu = await emulator();
		const tenant = emu.addTenant({});
		const secret = `Old~${randomUUID()}`;
		const app = emu.addApp({ secrets: [{ value: secret, expiresAt: Date.now() - 60_000 }] });
		emu.consent({
			tenantId: tenant.id,
			clientId: app.clientId,
			roles: { graph: ['SecurityIncident.Read.All'] },
		});
		const lab = await createLab();
		const result = await test({
			...lab.credentials,
			tenantId: tenant.id,
			clientId: app.clientId,
			clientSecret: secret,
		});
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/AADSTS7000222.*expired/);
	});

	it('explains an unknown tenant (AADSTS90002) and an app not known or not consented there (AADSTS700016)', async () => {
		const lab = await createLab();
		const unknownTenant = await test({ ...lab.credentials, tenantId: randomUUID() });
		expect(unknownTenant).toMatchObject({ status: 'Error' });
		expect(unknownTenant.message).toMatch(/AADSTS90002.*does not exist/);

		const unknownClient = await test({ ...lab.credentials, clientId: randomUUID() });
		expect(unknownClient.status).toBe('Error');
		expect(unknownClient.message).toMatch(
			/AADSTS700016.*not known in tenant.*adminconsent\?client_id=/,
		);
	});

	it('explains a tenant whose administrator removed the app and its consent (AADSTS7000229)', async () => {
		const lab = await createLab();
		lab.emulator.revokeConsent({ tenantId: lab.tenantId, clientId: lab.clientId });
		const result = await test(lab.credentials);
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(
			/AADSTS7000229.*no service principal in tenant.*must consent again.*adminconsent\?client_id=/,
		);
	});

	it('names the permissions to grant when the token carries none the package needs', async () => {
		const lab = await createLab({ roles: { xdr: [], graph: ['User.Read.All'] } });
		const result = await test(lab.credentials);
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/cannot read incidents/);
		expect(result.message).toContain('Incident.Read.All');
		expect(result.message).toContain('SecurityIncident.Read.All');
		expect(result.message).toMatch(/Grant admin consent/);
	});

	it('is OK with read-only permissions and says what else to grant', async () => {
		const lab = await createLab({ roles: { xdr: ['Incident.Read.All'], graph: [] } });
		const result = await test(lab.credentials);
		expect(result.status).toBe('OK');
		expect(result.message).toContain('Defender XDR API: Incident.Read.All');
		expect(result.message).toMatch(
			/To update incidents, run advanced hunting on the Defender XDR API, also grant Incident\.ReadWrite\.All, AdvancedHunting\.Read\.All/,
		);
		expect(result.message).toMatch(
			/The Defender for Endpoint API \(devices, response actions, alerts and indicators\) needs its own permissions/,
		);
	});

	it('rejects malformed IDs and endpoints before any network call, naming the field', async () => {
		const lab = await createLab();
		const before = lab.tokenRequests();
		expect(await test({ ...lab.credentials, tenantId: 'not a tenant' })).toEqual({
			status: 'Error',
			message: expect.stringMatching(/^Tenant ID "not a tenant" is not a tenant GUID/),
		});
		expect((await test({ ...lab.credentials, tenantId: 'common' })).message).toMatch(
			/sign-in alias/,
		);
		expect((await test({ ...lab.credentials, clientId: '1234' })).message).toMatch(
			/^Client ID "1234" is not a GUID/,
		);
		expect((await test({ ...lab.credentials, clientSecret: '' })).message).toMatch(
			/^Client Secret is empty/,
		);
		expect((await test({ ...lab.credentials, graphApiUrl: 'http://127.0.0.1:1' })).message).toMatch(
			/^Graph API URL must use https:\/\//,
		);
		expect((await test({ ...lab.credentials, authorityUrl: 'login' })).message).toMatch(
			/^Authority URL "login" is not a URL/,
		);
		expect(
			(
				await test({
					...lab.credentials,
					authentication: 'certificate',
					certificatePrivateKey: 'nope',
				})
			).message,
		).toMatch(/^Private Key is not an unencrypted PEM/);
		expect(lab.tokenRequests()).toBe(before);
	});

	it('accepts a verified domain as Tenant ID', async () => {
		const lab = await createLab();
		expect((await test({ ...lab.credentials, tenantId: lab.tenantDomain })).status).toBe('OK');
		expect(
			lab.emulator.requests.some(
				(request) =>
					request.path === `/${lab.tenantDomain}/oauth2/v2.0/token` && request.status === 200,
			),
		).toBe(true);
	});
});
