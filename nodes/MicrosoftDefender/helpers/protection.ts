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
