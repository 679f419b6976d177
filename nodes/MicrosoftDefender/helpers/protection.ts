/**
 * Protected devices and accounts, from the credential: rules (one per line or comma-separated) that no
 * response action may touch. `*` matches any run of characters and `?` one character, case-insensitively.
 *   devices:  `tag:<pattern>` (a device tag), `name:<pattern>` (DNS name or host name), or a bare
 *             pattern, which matches either
 *   accounts: a pattern matched against the UPN, `DOMAIN\name`, the account name and the SID
 */
export interface ProtectionRule {
	/** The rule as written in the credential, for the error message. */
	rule: string;
	scope: 'tag' | 'name' | 'any';
	pattern: RegExp;
}

export interface ProtectionMatch {
	rule: string;
	/** What matched: e.g. `tag "VIP"` or `name "dc01.contoso.local"`. */
	matched: string;
}

function wildcard(pattern: string): RegExp {
	const source = pattern
		.split('')
		.map((char) =>
			char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[.+^${}()|[\]\\]/g, '\\$&'),
		)
		.join('');
	return new RegExp(`^${source}$`, 'i');
}

export function parseProtectionRules(value: unknown): ProtectionRule[] {
	if (typeof value !== 'string') return [];
	return value
		.split(/[\n,]/)
		.map((rule) => rule.trim())
		.filter((rule) => rule !== '' && !rule.startsWith('#'))
		.map((rule) => {
			const prefixed = /^(tag|name):\s*(.*)$/i.exec(rule);
			const scope = prefixed ? (prefixed[1].toLowerCase() as 'tag' | 'name') : 'any';
			return { rule, scope, pattern: wildcard((prefixed ? prefixed[2] : rule).trim()) };
		});
}

export interface DeviceFacts {
	id?: string | null;
	name?: string | null;
	tags?: readonly string[];
}

/** The first rule that protects the device, or undefined. A name rule also matches the host name part. */
export function protectedDeviceMatch(
	rules: ProtectionRule[],
	device: DeviceFacts,
): ProtectionMatch | undefined {
	const name = (device.name ?? '').trim();
	const names = [name, name.split('.')[0], device.id ?? ''].filter((candidate) => candidate !== '');
	for (const rule of rules) {
		if (rule.scope !== 'tag') {
			const hit = names.find((candidate) => rule.pattern.test(candidate));
			if (hit !== undefined) return { rule: rule.rule, matched: `name "${name || hit}"` };
		}
		if (rule.scope !== 'name') {
			const tag = (device.tags ?? []).find((candidate) => rule.pattern.test(candidate));
			if (tag !== undefined) return { rule: rule.rule, matched: `tag "${tag}"` };
		}
	}
	return undefined;
}

export interface AccountFacts {
	upn?: string | null;
	accountName?: string | null;
	domain?: string | null;
	sid?: string | null;
}

export function protectedAccountMatch(
	rules: ProtectionRule[],
	account: AccountFacts,
): ProtectionMatch | undefined {
	const qualified =
		account.accountName && account.domain ? `${account.domain}\\${account.accountName}` : null;
	const candidates = [account.upn, qualified, account.accountName, account.sid].filter(
		(candidate): candidate is string => typeof candidate === 'string' && candidate !== '',
	);
	for (const rule of rules) {
		const hit = candidates.find((candidate) => rule.pattern.test(candidate));
		if (hit !== undefined) return { rule: rule.rule, matched: `account "${hit}"` };
	}
	return undefined;
}

/** The sentence a refused item shows. */
export function protectionMessage(
	what: string,
	match: ProtectionMatch,
	field: 'Protected Devices' | 'Protected Accounts',
): string {
	return `${what} is protected: its ${match.matched} matches the rule "${match.rule}" in the credential's ${field}, so no response action runs on it.`;
}

/** Every name an account goes by, for Protected Accounts. */
export interface IdentityFacts {
	/** How messages name the account, e.g. `"jdoe@contoso.com" (identity account 8d2…)`. */
	label: string;
	upn?: string;
	accountName?: string;
	domain?: string;
	sids: string[];
}

/** The first rule that protects the account under any of its names (DOMAIN\name also with the NetBIOS name). */
export function identityProtectionMatch(
	rules: ProtectionRule[],
	facts: IdentityFacts,
): ProtectionMatch | undefined {
	const netbios = facts.domain?.split('.')[0];
	const variants: AccountFacts[] = [
		{ upn: facts.upn, accountName: facts.accountName, domain: facts.domain },
		{ accountName: facts.accountName, domain: netbios },
		...facts.sids.map((sid) => ({ sid })),
	];
	for (const variant of variants) {
		const match = protectedAccountMatch(rules, variant);
		if (match) return match;
	}
	return undefined;
}

const text = (value: unknown): string | undefined =>
	typeof value === 'string' && value !== '' ? value : undefined;

/** The names a Defender for Identity identity account carries (it has no UPN). */
export function identityAccountFacts(
	record: Record<string, unknown>,
	label: string,
	upn?: string,
): IdentityFacts {
	return {
		label,
		upn,
		accountName: text(record.displayName),
		domain: text(record.domain),
		sids: [record.onPremisesSecurityIdentifier, record.cloudSecurityIdentifier]
			.map(text)
			.filter((sid): sid is string => sid !== undefined),
	};
}

/** The `$select` of an Entra ID user read for Protected Accounts. */
export const ENTRA_USER_SELECT =
	'id,userPrincipalName,displayName,accountEnabled,onPremisesSamAccountName,onPremisesDomainName,onPremisesSecurityIdentifier';

/** The names an Entra ID user goes by. */
export function entraUserFacts(user: Record<string, unknown>, label: string): IdentityFacts {
	const upn = text(user.userPrincipalName);
	const sid = text(user.onPremisesSecurityIdentifier);
	return {
		label: `${label} (Entra ID user ${upn ?? String(user.id)})`,
		upn,
		accountName: text(user.onPremisesSamAccountName) ?? upn?.split('@')[0],
		domain: text(user.onPremisesDomainName),
		sids: sid ? [sid] : [],
	};
}

export const DEVICE_REFUSAL_HINT =
	'Nothing was sent to the device. To act on it, remove or narrow the rule in the credential (Protected Devices), or pick another device.';
export const ACCOUNT_REFUSAL_HINT =
	"Nothing was changed. Remove the rule from the credential's Protected Accounts if this account may be changed.";

/**
 * What a request would change that the rules cover, judged from its method, its path under the API's base
 * (as sent, still percent-encoded) and its body:
 *   device           any change under /api/machines/{id} (Defender for Endpoint, every base), except the
 *                    undo actions (unisolate, unrestrictCodeExecution) and a tag Add
 *   identityAccount  Graph identityAccounts/{id} (invokeAction and anything else that changes it)
 *   entraUser        Graph users/{id} (accountEnabled, revokeSignInSessions, …)
 *   unchecked        a change to devices or accounts whose target cannot be told from the request
 * Paths are compared case-insensitively, as the APIs read them. Reads are never covered. Sources
 * (MicrosoftDocs/defender-docs defender-endpoint/api/): isolate-machine, unisolate-machine,
 * restrict-code-execution, unrestrict-code-execution, run-av-scan, stop-and-quarantine-file,
 * collect-investigation-package, run-live-response, offboard-machine-api, initiate-autoir-investigation,
 * add-or-remove-machine-tags, add-or-remove-multiple-machine-tags, update-machine-method; Graph
 * (microsoftgraph/microsoft-graph-docs-contrib api-reference/v1.0/api/): security-identityaccounts-invokeaction,
 * user-update, user-revokesigninsessions.
 */
export type ProtectedTarget =
	| { kind: 'device'; id: string }
	| { kind: 'identityAccount' | 'entraUser'; id: string; version: string }
	| { kind: 'unchecked'; rules: 'devices' | 'accounts'; reason: string };

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Allowed on a protected device: they undo a containment (docs/ARCHITECTURE.md "Decisions"). */
const UNDO_ACTIONS = new Set(['unisolate', 'unrestrictcodeexecution']);
/** POST /api/machines/AddOrRemoveTagForMultipleMachines: Defender for Endpoint's bulk tag call. */
const BULK_TAGS = 'addorremovetagformultiplemachines';

/** The body's `Action` (Defender binds JSON keys case-insensitively), lower case; undefined if unreadable. */
function bodyAction(body: unknown): string | undefined {
	let value = Buffer.isBuffer(body) ? body.toString('utf8') : body;
	if (typeof value === 'string') {
		try {
			value = JSON.parse(value) as unknown;
		} catch {
			return undefined;
		}
	}
	if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
	const actions = Object.entries(value)
		.filter(([key]) => key.toLowerCase() === 'action')
		.map(([, action]) => action);
	return actions.length === 1 && typeof actions[0] === 'string'
		? actions[0].trim().toLowerCase()
		: undefined;
}

export function protectedTargetOf(
	method: string,
	encodedPath: string,
	body: unknown,
): ProtectedTarget | undefined {
	if (READS.has(method.toUpperCase())) return undefined;
	let path: string;
	try {
		// A server may read %2F as "/": decoded first, a hidden separator still splits the path.
		path = decodeURIComponent(encodedPath);
	} catch {
		path = encodedPath;
	}
	const segments = path.split('/').filter((segment) => segment !== '');
	const lower = segments.map((segment) => segment.toLowerCase());
	const isAdd = bodyAction(body) === 'add';

	const machines = lower[0] === 'api' ? lower.indexOf('machines') : -1;
	if (machines === 1 || (machines === 2 && /^v[\d.]+$/.test(lower[1]))) {
		const rest = segments.slice(machines + 1);
		if (rest.length === 0) return undefined;
		const action = rest[1]?.toLowerCase();
		if (rest.length === 1 && rest[0].toLowerCase() === BULK_TAGS)
			return isAdd
				? undefined
				: {
						kind: 'unchecked',
						rules: 'devices',
						reason:
							'a tag change for several devices at once (AddOrRemoveTagForMultipleMachines) other than Add cannot be checked device by device',
					};
		if (rest.length === 2 && action !== undefined && UNDO_ACTIONS.has(action)) return undefined;
		if (rest.length === 2 && action === 'tags' && isAdd) return undefined;
		return { kind: 'device', id: rest[0] };
	}
	if (lower[0] === 'api' && lower.some((segment) => segment.startsWith('machines')))
		return {
			kind: 'unchecked',
			rules: 'devices',
			reason: 'the device cannot be told from this path (expected /api/machines/{id}/…)',
		};

	const version = segments[0];
	if (lower[0] !== 'v1.0' && lower[0] !== 'beta') return undefined;
	if (lower[1] === 'users' || lower[1]?.startsWith('users(')) {
		if (segments.length === 2 && lower[1] === 'users') return undefined;
		if (lower[1] === 'users') return { kind: 'entraUser', id: segments[2], version };
		return {
			kind: 'unchecked',
			rules: 'accounts',
			reason: 'the user cannot be told from this path (expected /users/{id})',
		};
	}
	if (
		lower[1] === 'security' &&
		lower[2] === 'identities' &&
		lower[3]?.startsWith('identityaccounts')
	) {
		if (lower[3] === 'identityaccounts' && segments.length >= 5)
			return { kind: 'identityAccount', id: segments[4], version };
		if (lower[3] === 'identityaccounts' && segments.length === 4) return undefined;
		return {
			kind: 'unchecked',
			rules: 'accounts',
			reason:
				'the identity account cannot be told from this path (expected /identityAccounts/{id}/…)',
		};
	}
	return undefined;
}
