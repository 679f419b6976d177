import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { apiOfUrl, scopeOf, type ApiName } from './cloud';
import { ProtectionRefusedError } from './errors';
import type { AppIdentity } from './identity';
import { quotaWindows } from './quotas';
import { acquireQuotaSlot, QuotaExhaustedError } from './rateLimiter';
import { getAccessToken, invalidateAccessToken } from './tokenProvider';
import {
	ACCOUNT_REFUSAL_HINT,
	DEVICE_REFUSAL_HINT,
	ENTRA_USER_SELECT,
	entraUserFacts,
	identityAccountFacts,
	identityProtectionMatch,
	parseProtectionRules,
	protectedDeviceMatch,
	protectedTargetOf,
	protectionMessage,
	type IdentityFacts,
	type ProtectionRule,
} from '../helpers/protection';

/**
 * Protected Devices / Accounts for every request made with the credential: this package's nodes (checked
 * in the request function, before the quota slot) and any other node, e.g. the HTTP Request node with this
 * credential (checked in the credential's authenticate). A request that would change a protected device or
 * account is refused before it is sent; so is one whose device or account cannot be read (fail closed).
 * What a read found is kept briefly, so that the node's check and authenticate's read the device once.
 */

export interface GuardedRequest {
	method?: string;
	/** The absolute URL the request goes to (as `requestTarget` joins it). */
	url: string;
	body?: unknown;
	headers?: object;
}

/** How long a read stays valid for the request it was made for (the node's check, then authenticate's). */
const FACTS_TTL_MS = 15_000;
const READ_TIMEOUT_MS = 30_000;
const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const MAX_QUOTA_WAIT_MS = 120_000;

const facts = new Map<string, { at: number; record: Promise<Record<string, unknown>> }>();

/**
 * The method that decides: the request's own, unless it is a read and a method override header asks for
 * something else (a server that honours the header would then change state).
 */
function methodOf(request: GuardedRequest): string {
	const method = String(request.method ?? 'GET').toUpperCase();
	const headers = (request.headers ?? {}) as Record<string, unknown>;
	const override = Object.entries(headers).find(
		([key]) =>
			key.toLowerCase() === 'x-http-method-override' || key.toLowerCase() === 'x-http-method',
	)?.[1];
	return READ_METHODS.has(method) && override !== undefined
		? String(override).toUpperCase()
		: method;
}

class ReadFailure extends Error {}

async function readOnce(
	identity: AppIdentity,
	api: ApiName,
	url: string,
): Promise<Record<string, unknown>> {
	const scope = scopeOf(identity.endpoints, api);
	for (let attempt = 0; ; attempt++) {
		const token = await getAccessToken(identity, scope);
		const release = await acquireQuotaSlot(
			`${identity.tenantId.toLowerCase()}|${identity.endpoints.apis[api]}|endpoint`,
			quotaWindows('endpoint', identity.endpoints.quotaWindowMs, identity.quotaProcesses),
			MAX_QUOTA_WAIT_MS,
		).catch((error: unknown) =>
			error instanceof QuotaExhaustedError
				? new ReadFailure(`this app's ${error.message}`)
				: new ReadFailure('failed'),
		);
		if (release instanceof ReadFailure) throw release;
		const response = await fetch(url, {
			headers: { authorization: `Bearer ${token.token}`, accept: 'application/json' },
			// A redirect would carry the token elsewhere: it counts as a failed read.
			redirect: 'manual',
			signal: AbortSignal.timeout(READ_TIMEOUT_MS),
		})
			.catch(
				(error: unknown) =>
					new ReadFailure(
						`got no answer (${error instanceof Error && error.name === 'TimeoutError' ? 'timed out' : 'network error'})`,
					),
			)
			.finally(release);
		if (response instanceof ReadFailure) throw response;
		if (response.status === 401 && attempt === 0) {
			invalidateAccessToken(identity, scope, Date.now());
			continue;
		}
		if (response.status !== 200) {
			const permission =
				response.status === 403 ? ' (the app lacks the permission to read it)' : '';
			throw new ReadFailure(`answered ${response.status}${permission}`);
		}
		const body = (await response.json().catch(() => undefined)) as unknown;
		if (typeof body !== 'object' || body === null || Array.isArray(body))
			throw new ReadFailure('answered with a body that is not a JSON object');
		return body as Record<string, unknown>;
	}
}

/** A read for protection facts, shared with the same read made in the last few seconds. */
async function read(
	identity: AppIdentity,
	api: ApiName,
	path: string,
): Promise<Record<string, unknown>> {
	const url = `${identity.endpoints.apis[api]}${path}`;
	const key = `${identity.tenantId.toLowerCase()}|${identity.clientId}|${identity.secretFingerprint}|${url}`;
	const now = Date.now();
	for (const [cachedKey, entry] of facts)
		if (now - entry.at > FACTS_TTL_MS) facts.delete(cachedKey);
	const cached = facts.get(key);
	if (cached) return await cached.record;
	const record = readOnce(identity, api, url);
	facts.set(key, { at: now, record });
	// A failed read is not kept: the next request reads again.
	record.catch(() => facts.delete(key));
	return await record;
}

function unreadable(what: string, path: string, field: string, cause: unknown): never {
	const why = cause instanceof ReadFailure ? cause.message : 'failed';
	throw new ProtectionRefusedError(
		`Cannot check ${what} against the credential's ${field}: reading it (GET ${path.split('?')[0]}) ${why}. Nothing was sent.`,
		`With ${field} set, a change is sent only after the ${field === 'Protected Devices' ? 'device' : 'account'} has been read and found unprotected. Check the ID, the tenant and that the app may read it${field === 'Protected Devices' ? ' (Machine.Read.All)' : ' (SecurityIdentitiesAccount.Read.All, User.Read.All)'}, or remove the rules from the credential.`,
	);
}

async function readOrRefuse(
	identity: AppIdentity,
	api: ApiName,
	path: string,
	what: string,
	field: 'Protected Devices' | 'Protected Accounts',
): Promise<Record<string, unknown>> {
	try {
		return await read(identity, api, path);
	} catch (error) {
		return unreadable(what, path, field, error);
	}
}

function refuseAccount(rules: ProtectionRule[], accountFacts: IdentityFacts): void {
	const match = identityProtectionMatch(rules, accountFacts);
	if (match)
		throw new ProtectionRefusedError(
			protectionMessage(`Account ${accountFacts.label}`, match, 'Protected Accounts'),
			ACCOUNT_REFUSAL_HINT,
		);
}

async function refuseEntraUser(
	identity: AppIdentity,
	api: ApiName,
	rules: ProtectionRule[],
	version: string,
	id: string,
	label: string,
): Promise<void> {
	const user = await readOrRefuse(
		identity,
		api,
		`/${version}/users/${encodeURIComponent(id)}?$select=${ENTRA_USER_SELECT}`,
		`Entra ID user ${id}`,
		'Protected Accounts',
	);
	refuseAccount(rules, entraUserFacts(user, label));
}

/**
 * Throws ProtectionRefusedError when the request would change a device or account that the credential's
 * Protected Devices / Accounts cover, or one that cannot be read to tell. Costs nothing without rules.
 */
export async function refuseProtectedRequest(
	identity: AppIdentity,
	credentials: ICredentialDataDecryptedObject,
	request: GuardedRequest,
): Promise<void> {
	const deviceRules = parseProtectionRules(credentials.protectedDevices);
	const accountRules = parseProtectionRules(credentials.protectedAccounts);
	if (deviceRules.length === 0 && accountRules.length === 0) return;
	const api = apiOfUrl(identity.endpoints, request.url);
	if (api === undefined) return;
	const basePath = new URL(identity.endpoints.apis[api]).pathname.replace(/\/+$/, '');
	const target = protectedTargetOf(
		methodOf(request),
		new URL(request.url).pathname.slice(basePath.length),
		request.body,
	);
	if (target === undefined) return;

	if (target.kind === 'unchecked') {
		const field = target.rules === 'devices' ? 'Protected Devices' : 'Protected Accounts';
		if ((target.rules === 'devices' ? deviceRules : accountRules).length === 0) return;
		throw new ProtectionRefusedError(
			`Refused while the credential has ${field}: ${target.reason}. Nothing was sent.`,
			`Send the change per ${target.rules === 'devices' ? 'device (/api/machines/{id}/…)' : 'account'}, where it can be checked, or use the Microsoft Defender node.`,
		);
	}
	if (target.kind === 'device') {
		if (deviceRules.length === 0) return;
		const record = await readOrRefuse(
			identity,
			api,
			`/api/machines/${encodeURIComponent(target.id)}`,
			`device ${target.id}`,
			'Protected Devices',
		);
		const name = typeof record.computerDnsName === 'string' ? record.computerDnsName : null;
		const tags = Array.isArray(record.machineTags)
			? record.machineTags.filter((tag): tag is string => typeof tag === 'string')
			: [];
		const id = typeof record.id === 'string' ? record.id : target.id;
		const match = protectedDeviceMatch(deviceRules, { id, name, tags });
		if (match)
			throw new ProtectionRefusedError(
				protectionMessage(`Device ${name ?? id}`, match, 'Protected Devices'),
				DEVICE_REFUSAL_HINT,
			);
		return;
	}
	if (accountRules.length === 0) return;
	if (target.kind === 'entraUser') {
		await refuseEntraUser(identity, api, accountRules, target.version, target.id, `"${target.id}"`);
		return;
	}
	const label = `identity account ${target.id}`;
	const identityRecord = await readOrRefuse(
		identity,
		api,
		`/${target.version}/security/identities/identityAccounts/${encodeURIComponent(target.id)}`,
		label,
		'Protected Accounts',
	);
	refuseAccount(accountRules, identityAccountFacts(identityRecord, label));
	// Identity accounts carry no UPN: a UPN rule is checked against the identity's Entra ID user.
	const accounts = Array.isArray(identityRecord.accounts)
		? (identityRecord.accounts as Array<Record<string, unknown>>)
		: [];
	for (const account of accounts) {
		const provider = String(account.identityProvider ?? account.provider ?? '').toLowerCase();
		if (provider === 'entraid' && typeof account.identifier === 'string')
			await refuseEntraUser(identity, api, accountRules, target.version, account.identifier, label);
	}
}
