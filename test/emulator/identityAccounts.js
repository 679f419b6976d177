// @ts-check
'use strict';
// Microsoft Graph identity response: Defender for Identity's identity accounts (list, get, invokeAction)
// and the Entra ID users that can be disabled, enabled and signed out directly.
const crypto = require('node:crypto');
const { HttpError } = require('./util');

/**
 * @typedef {'activeDirectory' | 'entraID' | 'okta'} Provider
 * @typedef {{ identityProvider: Provider, identifier: string, actions: string[] }} ProviderAccount
 * @typedef {{ id: string, displayName: string, domain: string, onPremisesSecurityIdentifier: string | null,
 *   cloudSecurityIdentifier: string | null, isEnabled: boolean, accounts: ProviderAccount[] }} IdentityAccount
 * @typedef {{ id: string, userPrincipalName: string, displayName: string, accountEnabled: boolean,
 *   onPremisesSamAccountName: string | null, onPremisesDomainName: string | null,
 *   onPremisesSecurityIdentifier: string | null, sessionsRevokedAt: string | null }} EntraUser
 * @typedef {{ identityAccountId: string, accountId: string, action: string, identityProvider: string, at: string }} InvokedAction
 * @typedef {{ userId: string, change: 'accountEnabled' | 'revokeSignInSessions', value: boolean, at: string }} UserChange
 * @typedef {import('./index').RouteContext} RouteContext
 */

const ACTIONS = [
	'disable',
	'enable',
	'forcePasswordReset',
	'revokeAllSessions',
	'requireUserToSignInAgain',
	'markUserAsCompromised',
];
const PROVIDERS = /** @type {Provider[]} */ (['activeDirectory', 'entraID', 'okta']);
/** What each provider supports when an account lists no actions: the reference page's table, plus Entra ID's two. */
const SUPPORTED = /** @type {Record<Provider, string[]>} */ ({
	activeDirectory: ['disable', 'enable', 'forcePasswordReset'],
	okta: ['disable', 'enable', 'revokeAllSessions'],
	entraID: ['requireUserToSignInAgain', 'markUserAsCompromised'],
});
/** Server-driven page size of the identity account list (it documents no $top). */
const PAGE_SIZE = 100;
const READ_ACCOUNTS = [
	'SecurityIdentitiesAccount.Read.All',
	'SecurityIdentitiesActions.ReadWrite.All',
];

/** @param {string} value */
const providerOf = (value) => PROVIDERS.find((p) => p.toLowerCase() === value.toLowerCase());

/**
 * @param {{ apiBases: Record<'graph', string>, getTenant: (idOrDomain: string) => { id: string } }} options
 */
function createIdentityAccounts({ apiBases, getTenant }) {
	/** @type {Map<string, { identities: IdentityAccount[], users: EntraUser[], invoked: InvokedAction[], userChanges: UserChange[] }>} */
	const stores = new Map();

	/** @param {string} tenantIdOrDomain */
	function storeOf(tenantIdOrDomain) {
		const tenantId = getTenant(tenantIdOrDomain).id;
		let store = stores.get(tenantId);
		if (!store) {
			store = { identities: [], users: [], invoked: [], userChanges: [] };
			stores.set(tenantId, store);
		}
		return store;
	}

	/**
	 * An identity with its provider accounts (`provider` or `identityProvider`, any case; default: one Active
	 * Directory account). An Entra ID account also becomes an Entra ID user with that object ID.
	 * @param {string} tenantId
	 * `displayName` is the Active Directory display name (Microsoft's resource page), which need not be the
	 * account name: `samAccountName` (default: the display name) is the synced user's account name.
	 * @param {Partial<Omit<IdentityAccount, 'accounts'>> & { displayName: string, upn?: string, samAccountName?: string,
	 *   accounts?: Array<{ provider?: string, identityProvider?: string, identifier?: string, actions?: string[] }> }} fields
	 */
	function addIdentityAccount(tenantId, { upn, samAccountName, accounts, ...fields }) {
		/** @type {IdentityAccount} */
		const identity = {
			id: crypto.randomUUID(),
			domain: 'contoso.local',
			onPremisesSecurityIdentifier: `S-1-5-21-1004336348-1177238915-682003330-${1000 + storeOf(tenantId).identities.length}`,
			cloudSecurityIdentifier: null,
			isEnabled: true,
			...fields,
			accounts: (accounts ?? [{ provider: 'activeDirectory' }]).map((account) => {
				const identityProvider = providerOf(account.identityProvider ?? account.provider ?? '');
				if (!identityProvider)
					throw new Error(`Unknown identity provider in ${JSON.stringify(account)}`);
				return {
					identityProvider,
					identifier: account.identifier ?? crypto.randomUUID(),
					actions: account.actions ?? [],
				};
			}),
		};
		const store = storeOf(tenantId);
		store.identities.push(identity);
		for (const account of identity.accounts.filter((a) => a.identityProvider === 'entraID')) {
			addUser(tenantId, {
				id: account.identifier,
				userPrincipalName: upn ?? `${identity.displayName}@${identity.domain}`,
				displayName: identity.displayName,
				onPremisesSamAccountName: samAccountName ?? identity.displayName,
				onPremisesDomainName: identity.domain,
				onPremisesSecurityIdentifier: identity.onPremisesSecurityIdentifier,
			});
		}
		return structuredClone(identity);
	}

	/** An Entra ID user. @param {string} tenantId @param {Partial<EntraUser> & { userPrincipalName: string }} fields */
	function addUser(tenantId, fields) {
		/** @type {EntraUser} */
		const user = {
			id: crypto.randomUUID(),
			displayName: fields.userPrincipalName.split('@')[0],
			accountEnabled: true,
			onPremisesSamAccountName: null,
			onPremisesDomainName: null,
			onPremisesSecurityIdentifier: null,
			sessionsRevokedAt: null,
			...fields,
		};
		const store = storeOf(tenantId);
		store.users = store.users.filter((u) => u.id !== user.id).concat([user]);
		return structuredClone(user);
	}

	/** @param {string} tenantId @param {string} idOrUpn */
	function findUser(tenantId, idOrUpn) {
		const key = idOrUpn.toLowerCase();
		const user = storeOf(tenantId).users.find(
			(u) => u.id === key || u.userPrincipalName.toLowerCase() === key,
		);
		if (!user)
			throw new HttpError(
				404,
				'Request_ResourceNotFound',
				`Resource '${idOrUpn}' does not exist or one of its queried reference-property objects are not present.`,
			);
		return user;
	}

	/** @param {string} tenantId @param {string} id */
	function findIdentity(tenantId, id) {
		const identity = storeOf(tenantId).identities.find((i) => i.id === id.toLowerCase());
		if (!identity) throw new HttpError(404, 'NotFound', `Identity account ${id} was not found.`);
		return identity;
	}

	/** The record as the API shows it (the reference names the key identityProvider). @param {IdentityAccount} identity */
	const shown = (identity) => ({
		...identity,
		accounts: identity.accounts.map((a) => ({ ...a })),
	});

	/**
	 * `$filter` as the documented examples use it: `<property> eq '<value>'`, joined with `and`.
	 * @param {string | null} filter
	 */
	function filterOf(filter) {
		if (!filter) return () => true;
		const clauses = filter.split(/\s+and\s+/i).map((clause) => {
			const match =
				/^(id|displayName|domain|onPremisesSecurityIdentifier|cloudSecurityIdentifier)\s+eq\s+'((?:[^']|'')*)'$/i.exec(
					clause.trim(),
				);
			if (!match) throw new HttpError(400, 'BadRequest', `Invalid filter clause: ${clause}`);
			return {
				key: /** @type {keyof IdentityAccount} */ (match[1]),
				value: match[2].replace(/''/g, "'"),
			};
		});
		return (/** @type {IdentityAccount} */ identity) =>
			clauses.every(
				({ key, value }) => String(identity[key] ?? '').toLowerCase() === value.toLowerCase(),
			);
	}

	/** @param {RouteContext} ctx */
	function listIdentities(ctx) {
		for (const key of ['$top', '$skip'])
			if (ctx.query.has(key))
				throw new HttpError(
					400,
					'BadRequest',
					`Query option '${key}' is not allowed on identityAccounts.`,
				);
		const matching = storeOf(ctx.tenantId).identities.filter(filterOf(ctx.query.get('$filter')));
		const start = Number(ctx.query.get('$skiptoken') ?? 0);
		const page = matching.slice(start, start + PAGE_SIZE);
		const next = start + PAGE_SIZE < matching.length;
		const nextQuery = new URLSearchParams(ctx.query);
		nextQuery.set('$skiptoken', String(start + PAGE_SIZE));
		return {
			'@odata.context': `${apiBases.graph}/v1.0/$metadata#security/identities/identityAccounts`,
			value: page.map(shown),
			...(next
				? {
						'@odata.nextLink': `${apiBases.graph}/v1.0/security/identities/identityAccounts?${nextQuery}`,
					}
				: {}),
		};
	}

	/** @param {RouteContext} ctx */
	async function invokeAction(ctx) {
		const identity = findIdentity(ctx.tenantId, ctx.params[0]);
		const body = await ctx.body();
		for (const key of ['accountId', 'action', 'identityProvider'])
			if (typeof body?.[key] !== 'string')
				throw new HttpError(400, 'BadRequest', `Missing required parameter '${key}'.`);
		if (!ACTIONS.includes(body.action))
			throw new HttpError(400, 'BadRequest', `Requested value '${body.action}' was not found.`);
		const provider = PROVIDERS.find((p) => p === body.identityProvider);
		if (!provider)
			throw new HttpError(
				400,
				'BadRequest',
				`Requested value '${body.identityProvider}' was not found.`,
			);
		const account = identity.accounts.find(
			(a) => a.identityProvider === provider && a.identifier === body.accountId,
		);
		if (!account)
			throw new HttpError(
				400,
				'BadRequest',
				`Account ${body.accountId} of provider ${provider} does not belong to identity ${identity.id}.`,
			);
		const supported = account.actions.length > 0 ? account.actions : SUPPORTED[provider];
		if (!supported.includes(body.action))
			throw new HttpError(
				400,
				'BadRequest',
				`Action '${body.action}' is not supported for identity provider '${provider}'.`,
			);
		if (body.action === 'disable' || body.action === 'enable')
			identity.isEnabled = body.action === 'enable';
		storeOf(ctx.tenantId).invoked.push({
			identityAccountId: identity.id,
			accountId: account.identifier,
			action: body.action,
			identityProvider: provider,
			at: new Date().toISOString(),
		});
		return {
			'@odata.context': `${apiBases.graph}/v1.0/$metadata#microsoft.graph.security.invokeActionResult`,
			value: {
				accountId: account.identifier,
				action: body.action,
				provider,
				correlationId: crypto.randomUUID(),
			},
		};
	}

	/** @type {import('./index').Route[]} */
	const routes = [
		{
			api: 'graph',
			method: 'GET',
			path: /^\/v1\.0\/security\/identities\/identityAccounts$/i,
			category: 'identity',
			roles: READ_ACCOUNTS,
			handle: listIdentities,
		},
		{
			api: 'graph',
			method: 'GET',
			path: /^\/v1\.0\/security\/identities\/identityAccounts\/([^/]+)$/i,
			category: 'identity',
			roles: READ_ACCOUNTS,
			handle: (ctx) => ({
				'@odata.context': `${apiBases.graph}/v1.0/$metadata#security/identities/identityAccounts/$entity`,
				...shown(findIdentity(ctx.tenantId, ctx.params[0])),
			}),
		},
		{
			api: 'graph',
			method: 'POST',
			path: /^\/v1\.0\/security\/identities\/identityAccounts\/([^/]+)\/invokeAction$/i,
			category: 'identity',
			roles: ['SecurityIdentitiesActions.ReadWrite.All'],
			handle: invokeAction,
		},
		{
			api: 'graph',
			method: 'GET',
			path: /^\/v1\.0\/users\/([^/]+)$/i,
			category: 'identity',
			roles: ['User.Read.All', 'User.ReadWrite.All'],
			handle: (ctx) => {
				const { sessionsRevokedAt, ...user } = findUser(ctx.tenantId, ctx.params[0]);
				const select = ctx.query.get('$select');
				const fields = select ? select.split(',').map((f) => f.trim()) : Object.keys(user);
				return {
					'@odata.context': `${apiBases.graph}/v1.0/$metadata#users/$entity`,
					...Object.fromEntries(Object.entries(user).filter(([key]) => fields.includes(key))),
				};
			},
		},
		{
			api: 'graph',
			method: 'PATCH',
			path: /^\/v1\.0\/users\/([^/]+)$/i,
			category: 'identity',
			roles: ['User.EnableDisableAccount.All', 'User.ReadWrite.All'],
			handle: async (ctx) => {
				const user = findUser(ctx.tenantId, ctx.params[0]);
				const body = await ctx.body();
				if (typeof body?.accountEnabled !== 'boolean' || Object.keys(body).length !== 1)
					throw new HttpError(
						400,
						'Request_BadRequest',
						'This emulator changes only accountEnabled (a boolean).',
					);
				user.accountEnabled = body.accountEnabled;
				storeOf(ctx.tenantId).userChanges.push({
					userId: user.id,
					change: 'accountEnabled',
					value: body.accountEnabled,
					at: new Date().toISOString(),
				});
				ctx.res.writeHead(204);
				ctx.res.end();
				return undefined;
			},
		},
		{
			api: 'graph',
			method: 'POST',
			path: /^\/v1\.0\/users\/([^/]+)\/revokeSignInSessions$/i,
			category: 'identity',
			roles: ['User.RevokeSessions.All', 'User.ReadWrite.All'],
			handle: (ctx) => {
				const user = findUser(ctx.tenantId, ctx.params[0]);
				user.sessionsRevokedAt = new Date().toISOString();
				storeOf(ctx.tenantId).userChanges.push({
					userId: user.id,
					change: 'revokeSignInSessions',
					value: true,
					at: user.sessionsRevokedAt,
				});
				return { '@odata.context': `${apiBases.graph}/v1.0/$metadata#Edm.Boolean`, value: true };
			},
		},
	];

	return {
		routes,
		addIdentityAccount,
		addEntraUser: addUser,
		/** Every invokeAction that was carried out, oldest first. @param {string} tenantId */
		identityActions: (tenantId) => structuredClone(storeOf(tenantId).invoked),
		/** Every change made on /users, oldest first. @param {string} tenantId */
		entraUserChanges: (tenantId) => structuredClone(storeOf(tenantId).userChanges),
		/** @param {string} tenantId @param {string} idOrUpn */
		getEntraUser: (tenantId, idOrUpn) => structuredClone(findUser(tenantId, idOrUpn)),
		/** @param {string} tenantId @param {string} id */
		getIdentityAccount: (tenantId, id) => structuredClone(findIdentity(tenantId, id)),
	};
}

module.exports = { createIdentityAccounts };
