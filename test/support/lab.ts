/**
 * A ready test environment: the emulator with one tenant and one app consented with every permission,
 * and a Custom-cloud credential pointing at it. Each call makes a new tenant, so tests do not share
 * tokens, quotas or incidents.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	INodeExecutionData,
	INodeParameters,
} from 'n8n-workflow';

import { MicrosoftDefenderApi } from '../../dist/credentials/MicrosoftDefenderApi.credentials';
import { MicrosoftDefender } from '../../dist/nodes/MicrosoftDefender/MicrosoftDefender.node';
import { MicrosoftDefenderTrigger } from '../../dist/nodes/MicrosoftDefender/MicrosoftDefenderTrigger.node';
import { runListSearch, runNode, runPoll } from '../harness/n8n';
import { startEmulator, type Emulator as EmulatorServer } from '../emulator';

export const FULL_ROLES = {
	xdr: ['Incident.ReadWrite.All', 'AdvancedHunting.Read.All'],
	graph: [
		'SecurityIncident.ReadWrite.All',
		'ThreatHunting.Read.All',
		'SecurityAlert.ReadWrite.All',
		'SecurityIdentitiesAccount.Read.All',
		'SecurityIdentitiesActions.ReadWrite.All',
		'User.Read.All',
		'User.EnableDisableAccount.All',
		'User.RevokeSessions.All',
	],
	mde: [
		'Machine.ReadWrite.All',
		'Machine.Isolate',
		'Machine.Scan',
		'Machine.RestrictExecution',
		'Machine.CollectForensics',
		'Machine.StopAndQuarantine',
		'Alert.ReadWrite.All',
		'Ti.ReadWrite.All',
		'Machine.LiveResponse',
		'Library.Manage',
		'User.Read.All',
		'Vulnerability.Read.All',
		'Software.Read.All',
		'SecurityRecommendation.Read.All',
		'File.Read.All',
		'Ip.Read.All',
		'URL.Read.All',
		'Score.Read.All',
	],
};

export const CLIENT_CERT_PEM = readFileSync(
	path.join(__dirname, '..', 'fixtures', 'client', 'client-cert.pem'),
	'utf8',
);
export const CLIENT_KEY_PEM = readFileSync(
	path.join(__dirname, '..', 'fixtures', 'client', 'client-key.pem'),
	'utf8',
);

export interface EmulatorRequest {
	method: string;
	api: string;
	path: string;
	query: Record<string, string>;
	tenant: string | null;
	status: number;
}

/** The emulator (typed in test/emulator); tests read back only incidents they created. */
export type Emulator = Omit<EmulatorServer, 'getIncident' | 'getMachine'> & {
	getIncident(
		tenantId: string,
		id: number | string,
	): NonNullable<ReturnType<EmulatorServer['getIncident']>>;
	getMachine(tenantId: string, id: string): NonNullable<ReturnType<EmulatorServer['getMachine']>>;
};

export interface Lab {
	emulator: Emulator;
	tenantId: string;
	tenantDomain: string;
	clientId: string;
	secret: string;
	credentials: ICredentialDataDecryptedObject;
	/** A further consented tenant of the same multi-tenant app. */
	addTenant(roles?: Partial<typeof FULL_ROLES>): string;
	/** Requests the emulator saw for this lab's tenant(s), optionally filtered. */
	calls(filter?: Partial<EmulatorRequest>): EmulatorRequest[];
	tokenRequests(): number;
}

let shared: Emulator | undefined;

/** One emulator per test file; stopped by `stopEmulator` in afterAll. */
export async function emulator(): Promise<Emulator> {
	shared ??= (await startEmulator()) as Emulator;
	return shared;
}

export async function stopEmulator(): Promise<void> {
	await shared?.stop();
	shared = undefined;
}

export async function createLab(
	options: { roles?: Partial<typeof FULL_ROLES>; quotaWindowSeconds?: number } = {},
): Promise<Lab> {
	const emu = await emulator();
	const tenant = emu.addTenant({ domains: [`t${randomUUID().slice(0, 8)}.onmicrosoft.com`] });
	const secret = `Sx~${randomUUID()}`;
	const app = emu.addApp({
		secrets: [{ value: secret }],
		certificates: [{ certPem: CLIENT_CERT_PEM }],
	});
	const roles = options.roles ?? FULL_ROLES;
	emu.consent({ tenantId: tenant.id, clientId: app.clientId, roles });
	const tenants = new Set([tenant.id]);
	const credentials: ICredentialDataDecryptedObject = {
		cloud: 'custom',
		authorityUrl: emu.authorityUrl,
		defenderApiUrl: emu.defenderApiUrl,
		graphApiUrl: emu.graphApiUrl,
		endpointApiUrl: emu.endpointApiUrl,
		// Short windows keep the client-side limiter out of the way of functional tests.
		quotaWindowSeconds: options.quotaWindowSeconds ?? 1,
		tenantId: tenant.id,
		clientId: app.clientId,
		authentication: 'clientSecret',
		clientSecret: secret,
	};
	const calls = (filter: Partial<EmulatorRequest> = {}) =>
		emu.requests.filter(
			(request) =>
				request.tenant !== null &&
				(tenants.has(request.tenant) || [...tenants].some((id) => request.path.includes(id))) &&
				Object.entries(filter).every(
					([key, value]) => (request as unknown as Record<string, unknown>)[key] === value,
				),
		);
	return {
		emulator: emu,
		tenantId: tenant.id,
		tenantDomain: tenant.domains[0],
		clientId: app.clientId,
		secret,
		credentials,
		addTenant(extraRoles = roles) {
			const extra = emu.addTenant({});
			emu.consent({ tenantId: extra.id, clientId: app.clientId, roles: extraRoles });
			tenants.add(extra.id);
			return extra.id;
		},
		calls,
		tokenRequests: () =>
			calls({ api: 'login' }).filter((request) => request.path.endsWith('/token')).length,
	};
}

const node = new MicrosoftDefender();
const trigger = new MicrosoftDefenderTrigger();
const credentialType = new MicrosoftDefenderApi();

/** Runs the Microsoft Defender node once through n8n-core and returns its output items. */
export async function runDefender(
	lab: Pick<Lab, 'credentials'>,
	parameters: INodeParameters,
	options: {
		inputItems?: INodeExecutionData[];
		continueOnFail?: boolean;
		credentials?: ICredentialDataDecryptedObject;
		n8nMajor?: 1 | 2;
		typeVersion?: number;
	} = {},
): Promise<INodeExecutionData[]> {
	const output = await runNode({
		n8nMajor: options.n8nMajor,
		typeVersion: options.typeVersion,
		nodeType: node,
		credentialType,
		credentials: options.credentials ?? lab.credentials,
		parameters,
		inputItems: options.inputItems,
		continueOnFail: options.continueOnFail,
	});
	return output[0] ?? [];
}

/** A resource locator's "From list" search of the Microsoft Defender node, as the editor calls it. */
export async function searchList(
	lab: Pick<Lab, 'credentials'>,
	search: {
		method: string;
		parameterName: string;
		parameters: INodeParameters;
		filter?: string;
		paginationToken?: string;
	},
) {
	return await runListSearch({
		nodeType: node,
		credentialType,
		credentials: lab.credentials,
		...search,
	});
}

/** One scheduled poll of the trigger (or Fetch Test Event with mode 'manual'). */
export async function pollTrigger(
	lab: Pick<Lab, 'credentials'>,
	parameters: INodeParameters,
	staticData: IDataObject,
	mode: 'trigger' | 'manual' = 'trigger',
) {
	return await runPoll({
		nodeType: trigger,
		credentialType,
		credentials: lab.credentials,
		parameters,
		staticData,
		mode,
	});
}

export { credentialType, node, trigger };
