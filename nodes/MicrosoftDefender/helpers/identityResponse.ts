import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { odataString } from './odata';
import {
	ACCOUNT_REFUSAL_HINT,
	ENTRA_USER_SELECT,
	entraUserFacts,
	identityAccountFacts,
	identityProtectionMatch,
	parseProtectionRules,
	protectionMessage,
	type IdentityFacts,
	type ProtectionRule,
} from './protection';
import { quoted } from './validate';
import { listPages } from '../transport/paging';
import {
	defenderApiRequest,
	resolveIdentity,
	toNodeError,
	type ApiSession,
} from '../transport/request';

/** The node's identity operations (saved names). */
export type UserAction =
	| 'disable'
	| 'enable'
	| 'forcePasswordReset'
	| 'revokeSessions'
	| 'requireSignInAgain'
	| 'markCompromised';

export type IdentityProvider = 'activeDirectory' | 'entraID' | 'okta';

/** The Identity Provider field: `auto` = every account of the identity that supports the action. */
export type ProviderChoice = IdentityProvider | 'auto';

type EntraCall = 'disable' | 'enable' | 'revokeSessions';

interface ActionSpec {
	/** Microsoft Graph's name of the action (invokeAction). */
	graphAction: string;
	/** Words for messages: "disable", "revoke all sessions of". */
	label: string;
	/**
	 * Providers Microsoft documents the action for through invokeAction
	 * (api-reference/v1.0/api/security-identityaccounts-invokeaction.md, table of supported identity
	 * providers; "Actions related to Entra ID are not covered in the current scope").
	 */
	providers: IdentityProvider[];
	/** The same effect straight on Entra ID's /users (all Graph clouds). */
	entra?: EntraCall;
}

export const USER_ACTIONS: Record<UserAction, ActionSpec> = {
	disable: {
		graphAction: 'disable',
		label: 'disable',
		providers: ['activeDirectory', 'okta'],
		entra: 'disable',
	},
	enable: {
		graphAction: 'enable',
		label: 'enable',
		providers: ['activeDirectory', 'okta'],
		entra: 'enable',
	},
	forcePasswordReset: {
		graphAction: 'forcePasswordReset',
		label: 'force a password reset of',
		providers: ['activeDirectory'],
	},
	revokeSessions: {
		graphAction: 'revokeAllSessions',
		label: 'revoke all sessions of',
		providers: ['okta'],
		entra: 'revokeSessions',
	},
	// In the action enum, but the page's table names no provider for these two: an account's own `actions`
	// list, or an explicit Identity Provider, decides.
	requireSignInAgain: {
		graphAction: 'requireUserToSignInAgain',
		label: 'require a new sign-in of',
		providers: [],
		entra: 'revokeSessions',
	},
	markCompromised: {
		graphAction: 'markUserAsCompromised',
		label: 'mark as compromised',
		providers: [],
	},
};

export const PROVIDER_NAMES: Record<IdentityProvider, string> = {
	activeDirectory: 'Active Directory',
	entraID: 'Entra ID',
	okta: 'Okta',
};

export const PERMISSIONS = {
	readAccounts: 'SecurityIdentitiesAccount.Read.All',
	invoke: 'SecurityIdentitiesActions.ReadWrite.All',
	readUser: 'User.Read.All',
	enableDisable: 'User.EnableDisableAccount.All',
	revoke: 'User.RevokeSessions.All',
} as const;

export const IDENTITY_ACCOUNTS_PATH = '/v1.0/security/identities/identityAccounts';
/**
 * Clouds whose Graph has no identityAccounts: absent from the Fairfax (GCC High, DoD) v1.0 CSDL in
 * microsoftgraph/msgraph-metadata (schemas/v1.0-Fairfax.csdl), while users and revokeSignInSessions are
 * there. GCC tenants use the global Graph (schemas/v1.0-Prod.csdl, which has identityAccounts).
 */
const NO_IDENTITY_ACCOUNTS_CLOUDS = new Set(['usGccHigh', 'usDod']);
/** A name is matched locally (the list documents no filter on it): at most this many accounts are read. */
export const MAX_ACCOUNTS_SCANNED = 5_000;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SID = /^S-1-[0-9-]+$/i;

/** One provider account of an identity, as the identity account lists it. */
export interface ProviderAccount {
	provider: IdentityProvider | string;
	identifier: string;
	actions: string[];
}

/** What the user typed, taken apart. */
export interface AccountInput {
	raw: string;
	kind: 'id' | 'sid' | 'upn' | 'name';
	name: string;
	domain?: string;
}

export function parseAccountInput(value: string): AccountInput | undefined {
	const raw = value.trim();
	if (raw === '' || /[/\s]/.test(raw)) return undefined;
	if (GUID.test(raw)) return { raw, kind: 'id', name: raw };
	if (SID.test(raw)) return { raw, kind: 'sid', name: raw.toUpperCase() };
	const at = raw.lastIndexOf('@');
	if (at > 0 && at < raw.length - 1 && !raw.includes('\\'))
		return { raw, kind: 'upn', name: raw.slice(0, at), domain: raw.slice(at + 1) };
	const parts = raw.split('\\');
	if (parts.length === 2 && parts[0] !== '' && parts[1] !== '')
		return { raw, kind: 'name', name: parts[1], domain: parts[0] };
	if (parts.length === 1 && at === -1) return { raw, kind: 'name', name: raw };
	return undefined;
}

/** `ActiveDirectory` (the documented examples) and `activeDirectory` (the enum) are the same provider. */
export function providerOf(value: unknown): IdentityProvider | string {
	const text = typeof value === 'string' ? value : '';
	const known = (Object.keys(PROVIDER_NAMES) as IdentityProvider[]).find(
		(provider) => provider.toLowerCase() === text.toLowerCase(),
	);
	return known ?? text;
}

export function providerAccountsOf(identity: IDataObject): ProviderAccount[] {
	const accounts = Array.isArray(identity.accounts) ? (identity.accounts as IDataObject[]) : [];
	return accounts.map((account) => ({
		// The reference names the key identityProvider, the examples provider.
		provider: providerOf(account.identityProvider ?? account.provider),
		identifier: String(account.identifier ?? ''),
		actions: Array.isArray(account.actions) ? account.actions.map(String) : [],
	}));
}

/**
 * Identity accounts whose name matches a name or DOMAIN\\name the user typed. A DOMAIN\\name must match its
 * domain (the DNS name or its first label, the NetBIOS name). A UPN is never matched here: it is resolved
 * through its Entra ID user (identityOfUser).
 */
export function matchingIdentities(records: IDataObject[], input: AccountInput): IDataObject[] {
	const name = input.name.toLowerCase();
	const domain = input.domain?.toLowerCase();
	const byName = records.filter((record) => {
		const displayName = String(record.displayName ?? '').toLowerCase();
		return displayName === name || displayName === input.raw.toLowerCase();
	});
	if (domain === undefined) return byName;
	return byName.filter((record) => {
		const recordDomain = String(record.domain ?? '').toLowerCase();
		return recordDomain === domain || recordDomain.split('.')[0] === domain;
	});
}

/** How one provider account gets the action: through Defender for Identity, straight on /users, or not at all. */
export function routeFor(
	action: UserAction,
	account: ProviderAccount,
): 'invokeAction' | 'entra' | undefined {
	const spec = USER_ACTIONS[action];
	if (account.actions.length > 0 && account.actions.includes(spec.graphAction))
		return 'invokeAction';
	if (account.provider === 'entraID' && spec.entra) return 'entra';
	if (account.actions.length > 0) return undefined;
	return spec.providers.includes(account.provider as IdentityProvider) ? 'invokeAction' : undefined;
}

export interface PerformedAction {
	identityProvider: string;
	accountId: string;
	/** Which Microsoft Graph call carried it out. */
	via: 'invokeAction' | 'users';
	correlationId?: string;
}

/** Rules of the credential's Protected Accounts, checked against every name the account goes by. */
function refuseProtected(
	context: IExecuteFunctions,
	index: number,
	rules: ProtectionRule[],
	facts: IdentityFacts,
): void {
	const match = identityProtectionMatch(rules, facts);
	if (match)
		throw new NodeOperationError(
			context.getNode(),
			protectionMessage(`Account ${facts.label}`, match, 'Protected Accounts'),
			{ itemIndex: index, description: ACCOUNT_REFUSAL_HINT },
		);
}

function inputFacts(input: AccountInput): IdentityFacts {
	return {
		label: quoted(input.raw),
		upn: input.kind === 'upn' ? input.raw : undefined,
		accountName: input.kind === 'name' || input.kind === 'upn' ? input.name : undefined,
		domain: input.domain,
		sids: input.kind === 'sid' ? [input.raw] : [],
	};
}

export interface IdentityActionRequest {
	action: UserAction;
	input: AccountInput;
	provider: ProviderChoice;
}

/**
 * Runs one identity response action for one item: refuses protected accounts before anything changes,
 * resolves the account to exactly one identity, then sends each state-changing call once (never
 * repeated: its outcome may be unknown).
 */
export async function runIdentityAction(
	this: IExecuteFunctions,
	index: number,
	session: ApiSession,
	request: IdentityActionRequest,
): Promise<IDataObject> {
	const { action, input, provider } = request;
	const spec = USER_ACTIONS[action];
	const { credentials } = await resolveIdentity(this, session);
	const rules = parseProtectionRules(credentials.protectedAccounts);
	refuseProtected(this, index, rules, inputFacts(input));
	if (provider === 'entraID' && spec.entra)
		return await entraAction.call(this, index, session, action, input, rules);

	if (NO_IDENTITY_ACCOUNTS_CLOUDS.has(String(credentials.cloud)))
		throw new NodeOperationError(
			this.getNode(),
			`Defender for Identity's account actions are not in Microsoft Graph of the credential's cloud (US GCC High and US DoD have no identityAccounts).`,
			{
				itemIndex: index,
				description: spec.entra
					? `For an Entra ID account, set Identity Provider to Entra ID: this action then goes to Microsoft Graph's /users, available in every cloud.`
					: 'Take this action in the Defender portal of your cloud.',
			},
		);
	const identity = await findIdentity.call(this, index, session, input);
	const facts = identityAccountFacts(
		identity,
		`${quoted(input.raw)} (identity account ${String(identity.id)})`,
		input.kind === 'upn' ? input.raw : undefined,
	);
	refuseProtected(this, index, rules, facts);
	// The identity's Entra ID user (a UPN rule) is checked where every change is sent: in the request
	// function (transport/protectionGuard.ts), which reads it once for the first change.
	const accounts = providerAccountsOf(identity);

	const has = accounts.map(
		(account) => PROVIDER_NAMES[account.provider as IdentityProvider] ?? account.provider,
	);
	let planned: Array<{ account: ProviderAccount; route: 'invokeAction' | 'entra' }>;
	if (provider === 'auto') {
		planned = accounts.flatMap((account) => {
			const route = routeFor(action, account);
			return route ? [{ account, route }] : [];
		});
		if (planned.length === 0)
			throw new NodeOperationError(
				this.getNode(),
				`Cannot ${spec.label} ${facts.label}: none of its accounts (${has.join(', ') || 'none'}) supports this action.`,
				{
					itemIndex: index,
					description: `${documentedFor(spec)} Nothing was changed.`,
				},
			);
	} else {
		const account = accounts.find((candidate) => candidate.provider === provider);
		if (!account)
			throw new NodeOperationError(
				this.getNode(),
				`${facts.label} has no ${PROVIDER_NAMES[provider]} account (it has: ${has.join(', ') || 'none'}).`,
				{
					itemIndex: index,
					description: 'Set Identity Provider to one it has, or to Automatic. Nothing was changed.',
				},
			);
		// An explicit choice is sent even where the documentation disagrees: the service decides.
		planned = [{ account, route: routeFor(action, account) ?? 'invokeAction' }];
	}

	const performed: PerformedAction[] = [];
	for (const { account, route } of planned) {
		try {
			performed.push(
				route === 'entra'
					? await entraCall.call(this, session, spec.entra!, account.identifier, facts.label)
					: await invokeAction.call(this, session, identity, account, action, facts.label),
			);
		} catch (error) {
			const failure = toNodeError(this, error, index);
			if (performed.length > 0)
				failure.description =
					`${failure.description ?? ''} Already done before this failure: ${performed.map((done) => `${done.identityProvider} account ${done.accountId}`).join(', ')}.`.trim();
			throw failure;
		}
	}
	return {
		action,
		account: input.raw,
		identityAccountId: identity.id,
		displayName: identity.displayName,
		domain: identity.domain,
		performed: performed as unknown as IDataObject[],
	};
}

/** Which accounts Microsoft documents an action for, in words. */
function documentedFor(spec: ActionSpec): string {
	const names = spec.providers.map((p) => PROVIDER_NAMES[p]);
	if (spec.entra) names.push('Entra ID (through /users)');
	return names.length > 0
		? `Microsoft documents this action for ${names.join(', ')} accounts.`
		: `Microsoft's invokeAction page names no identity provider for this action: set Identity Provider to the account's provider to send it anyway (the service decides), or take it in the Defender portal.`;
}

/**
 * The identity account of an Entra ID user, found by what Microsoft documents as identifiers: its
 * on-premises SID (the documented `$filter`), else its object ID among the accounts' identifiers. Never by
 * display name, which Microsoft does not promise is the account name.
 */
async function identityOfUser(
	this: IExecuteFunctions,
	index: number,
	session: ApiSession,
	input: AccountInput,
): Promise<IDataObject> {
	const user = await readEntraUser.call(
		this,
		session,
		input.raw,
		`No Entra ID user has the UPN ${quoted(input.raw)}. Enter the account as DOMAIN\\name or its SID, or pick it from the list. Nothing was changed.`,
	);
	const read = { quota: 'endpoint' as const, permission: PERMISSIONS.readAccounts };
	const sid =
		typeof user.onPremisesSecurityIdentifier === 'string' &&
		user.onPremisesSecurityIdentifier !== ''
			? user.onPremisesSecurityIdentifier
			: undefined;
	const objectId = String(user.id ?? '');
	const found: IDataObject[] = [];
	let scanned = 0;
	if (sid !== undefined)
		for await (const page of listPages.call(
			this,
			session,
			{
				method: 'GET',
				path: IDENTITY_ACCOUNTS_PATH,
				qs: { $filter: `onPremisesSecurityIdentifier eq ${odataString(sid)}` },
				...read,
			},
			{ nextLinkOnly: true, wanted: MAX_ACCOUNTS_SCANNED },
		))
			found.push(...page);
	if (found.length === 0)
		// No documented filter on accounts[]: the list is read and the object ID matched locally.
		for await (const page of listPages.call(
			this,
			session,
			{ method: 'GET', path: IDENTITY_ACCOUNTS_PATH, ...read },
			{ nextLinkOnly: true, wanted: MAX_ACCOUNTS_SCANNED },
		)) {
			scanned += page.length;
			found.push(
				...page.filter((record) =>
					providerAccountsOf(record).some(
						(account) => account.identifier.toLowerCase() === objectId.toLowerCase(),
					),
				),
			);
		}
	if (found.length === 1) return found[0];
	const how = `the Entra ID user ${objectId}${sid ? ` (on-premises SID ${sid})` : ''}`;
	throw new NodeOperationError(
		this.getNode(),
		found.length === 0
			? `Defender for Identity has no identity account for ${quoted(input.raw)}: none matches ${how}.`
			: `${found.length} identity accounts match ${quoted(input.raw)} (${how}): ${found
					.slice(0, 10)
					.map((record) => String(record.id))
					.join(', ')}.`,
		{
			itemIndex: index,
			description: `${scanned >= MAX_ACCOUNTS_SCANNED ? `Only the first ${MAX_ACCOUNTS_SCANNED} identity accounts were read. ` : ''}Pick the account from the list (it fills in the identity account ID), or set Identity Provider to Entra ID to act on the Entra ID user directly. Nothing was changed.`,
		},
	);
}

/** The one identity account the input names; none or several is an error listing what was found. */
async function findIdentity(
	this: IExecuteFunctions,
	index: number,
	session: ApiSession,
	input: AccountInput,
): Promise<IDataObject> {
	const read = { quota: 'endpoint' as const, permission: PERMISSIONS.readAccounts };
	if (input.kind === 'id')
		return await defenderApiRequest.call(this, session, {
			method: 'GET',
			path: `${IDENTITY_ACCOUNTS_PATH}/${input.raw}`,
			...read,
			notFoundMessage: `No identity account with ID ${input.raw} in Defender for Identity. Pick the account from the list, or enter its UPN, DOMAIN\\name or SID; for an Entra ID object ID set Identity Provider to Entra ID.`,
		});
	if (input.kind === 'upn') return await identityOfUser.call(this, index, session, input);
	const records: IDataObject[] = [];
	const sameName: IDataObject[] = [];
	let scanned = 0;
	const filter =
		input.kind === 'sid' ? `onPremisesSecurityIdentifier eq ${odataString(input.raw)}` : undefined;
	for await (const page of listPages.call(
		this,
		session,
		{ method: 'GET', path: IDENTITY_ACCOUNTS_PATH, qs: { $filter: filter }, ...read },
		{ nextLinkOnly: true, wanted: MAX_ACCOUNTS_SCANNED },
	)) {
		scanned += page.length;
		records.push(...(input.kind === 'sid' ? page : matchingIdentities(page, input)));
		if (input.domain !== undefined)
			sameName.push(...matchingIdentities(page, { ...input, domain: undefined }));
	}
	// A name read against a cut-off list cannot be proven unique: never act on a maybe.
	const complete = input.kind === 'sid' || scanned < MAX_ACCOUNTS_SCANNED;
	const shown = (record: IDataObject) =>
		`${String(record.domain ?? '?')}\\${String(record.displayName ?? '?')} (ID ${String(record.id)})`;
	if (records.length === 1 && complete) return records[0];
	if (records.length <= 1)
		throw new NodeOperationError(
			this.getNode(),
			complete
				? `No identity account matches ${quoted(input.raw)} in Defender for Identity.`
				: `Cannot tell which identity account ${quoted(input.raw)} is: Defender for Identity lists more than ${MAX_ACCOUNTS_SCANNED} and has no name filter.`,
			{
				itemIndex: index,
				description: `${complete ? `All ${scanned} identity accounts were read.` : `The first ${MAX_ACCOUNTS_SCANNED} identity accounts were read (${records.length} matched).`}${records.length === 0 && sameName.length > 0 ? ` In other domains: ${sameName.slice(0, 10).map(shown).join('; ')}.` : ''} Pick the account from the list (it fills in the identity account ID), or enter its SID. Nothing was changed.`,
			},
		);
	throw new NodeOperationError(
		this.getNode(),
		`${records.length} identity accounts match ${quoted(input.raw)}: ${records.slice(0, 10).map(shown).join('; ')}${records.length > 10 ? '; …' : ''}.`,
		{
			itemIndex: index,
			description:
				'Enter DOMAIN\\name, the SID or the identity account ID of the one you mean, or pick it from the list. Nothing was changed.',
		},
	);
}

async function invokeAction(
	this: IExecuteFunctions,
	session: ApiSession,
	identity: IDataObject,
	account: ProviderAccount,
	action: UserAction,
	label: string,
): Promise<PerformedAction> {
	const spec = USER_ACTIONS[action];
	const providerName = PROVIDER_NAMES[account.provider as IdentityProvider] ?? account.provider;
	let answer: IDataObject;
	try {
		answer = await defenderApiRequest.call(this, session, {
			method: 'POST',
			path: `${IDENTITY_ACCOUNTS_PATH}/${encodeURIComponent(String(identity.id))}/invokeAction`,
			body: {
				accountId: account.identifier,
				action: spec.graphAction,
				identityProvider: account.provider,
			},
			quota: 'endpoint',
			permission: PERMISSIONS.invoke,
		});
	} catch (error) {
		const failure = toNodeError(this, error, session.itemIndex);
		// Which provider supports which action differs between Microsoft's pages: a refusal says so plainly.
		if (failure instanceof NodeApiError && String(failure.httpCode) === '400')
			failure.message = `Microsoft refused to ${spec.label} the ${providerName} account of ${label}: this action is probably not available for ${providerName} accounts.`;
		throw failure;
	}
	// The documented answer wraps the result in `value`.
	const result = (
		typeof answer.value === 'object' && answer.value !== null ? answer.value : answer
	) as IDataObject;
	return {
		identityProvider: account.provider,
		accountId: account.identifier,
		via: 'invokeAction',
		correlationId: typeof result.correlationId === 'string' ? result.correlationId : undefined,
	};
}

async function entraCall(
	this: IExecuteFunctions,
	session: ApiSession,
	call: EntraCall,
	userId: string,
	label: string,
): Promise<PerformedAction> {
	const path = `/v1.0/users/${encodeURIComponent(userId)}`;
	const notFoundMessage = `Entra ID has no user ${quoted(userId)} (${label}).`;
	if (call === 'revokeSessions')
		await defenderApiRequest.call(this, session, {
			method: 'POST',
			path: `${path}/revokeSignInSessions`,
			quota: 'endpoint',
			permission: PERMISSIONS.revoke,
			notFoundMessage,
		});
	else
		await defenderApiRequest.call(this, session, {
			method: 'PATCH',
			path,
			body: { accountEnabled: call === 'enable' },
			quota: 'endpoint',
			permission: PERMISSIONS.enableDisable,
			notFoundMessage,
		});
	return { identityProvider: 'entraID', accountId: userId, via: 'users' };
}

async function readEntraUser(
	this: IExecuteFunctions,
	session: ApiSession,
	idOrUpn: string,
	notFoundMessage: string,
): Promise<IDataObject> {
	return await defenderApiRequest.call(this, session, {
		method: 'GET',
		path: `/v1.0/users/${encodeURIComponent(idOrUpn)}`,
		qs: { $select: ENTRA_USER_SELECT },
		quota: 'endpoint',
		permission: PERMISSIONS.readUser,
		notFoundMessage,
	});
}

/** Identity Provider = Entra ID: the user is read from /users (all clouds), checked, then changed there. */
async function entraAction(
	this: IExecuteFunctions,
	index: number,
	session: ApiSession,
	action: UserAction,
	input: AccountInput,
	rules: ProtectionRule[],
): Promise<IDataObject> {
	if (input.kind !== 'upn' && input.kind !== 'id')
		throw new NodeOperationError(
			this.getNode(),
			`${quoted(input.raw)} is not an Entra ID user. With Identity Provider Entra ID, enter the user's UPN (jdoe@contoso.com) or object ID.`,
			{ itemIndex: index },
		);
	const user = await readEntraUser.call(
		this,
		session,
		input.raw,
		`Entra ID has no user ${quoted(input.raw)}. Enter the UPN or object ID of an Entra ID user.`,
	);
	const upn = typeof user.userPrincipalName === 'string' ? user.userPrincipalName : undefined;
	refuseProtected(this, index, rules, entraUserFacts(user, quoted(input.raw)));
	const performed = await entraCall.call(
		this,
		session,
		USER_ACTIONS[action].entra!,
		String(user.id),
		quoted(input.raw),
	);
	return {
		action,
		account: input.raw,
		userId: user.id,
		userPrincipalName: upn,
		displayName: user.displayName,
		performed: [performed] as unknown as IDataObject[],
	};
}
