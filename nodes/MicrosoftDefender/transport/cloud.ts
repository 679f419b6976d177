import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { CredentialInputError } from './errors';
import { quoted } from '../helpers/validate';

export type CloudName = 'global' | 'usGcc' | 'usGccHigh' | 'usDod' | 'custom';

/** The three Microsoft APIs this package talks to. */
export type ApiName = 'defenderXdr' | 'graph' | 'endpoint';

export interface CloudEndpoints {
	/** Entra ID login host, e.g. `https://login.microsoftonline.com` (no tenant, no trailing slash). */
	authorityUrl: string;
	/** Base URL per API, no trailing slash. The token scope of an API is `<base>/.default` unless `scopes` says otherwise. */
	apis: Record<ApiName, string>;
	/** Token scope per API where the token audience is not the API's base URL. */
	scopes?: Partial<Record<ApiName, string>>;
	/** Length of Microsoft's per-minute quota windows; only a Custom cloud (an emulator) shortens it. */
	quotaWindowMs: number;
	custom: boolean;
}

const MINUTE_MS = 60_000;

/**
 * The Defender for Endpoint API's token audience in the US Government clouds. Microsoft's
 * defender-endpoint/gov.md (section API) names the API and sign-in hosts only, not the audience; Cortex
 * XSOAR's MicrosoftApiModule.py (MICROSOFT_DEFENDER_FOR_ENDPOINT_APT_SERVICE_ENDPOINTS), which runs against
 * those clouds, uses securitycenter.onmicrosoft.com for GCC and securitycenter.onmicrosoft.us for GCC High
 * and DoD: this package follows it.
 */
const ENDPOINT_AUDIENCE = {
	commercial: 'https://securitycenter.onmicrosoft.com/.default',
	usGovernment: 'https://securitycenter.onmicrosoft.us/.default',
};

const NATIONAL_CLOUDS: Record<
	Exclude<CloudName, 'custom'>,
	Omit<CloudEndpoints, 'quotaWindowMs' | 'custom'>
> = {
	global: {
		authorityUrl: 'https://login.microsoftonline.com',
		apis: {
			defenderXdr: 'https://api.security.microsoft.com',
			endpoint: 'https://api.securitycenter.microsoft.com',
			graph: 'https://graph.microsoft.com',
		},
	},
	usGcc: {
		authorityUrl: 'https://login.microsoftonline.com',
		apis: {
			defenderXdr: 'https://api-gcc.security.microsoft.us',
			endpoint: 'https://api-gcc.securitycenter.microsoft.us',
			graph: 'https://graph.microsoft.com',
		},
		scopes: { endpoint: ENDPOINT_AUDIENCE.commercial },
	},
	usGccHigh: {
		authorityUrl: 'https://login.microsoftonline.us',
		apis: {
			defenderXdr: 'https://api-gov.security.microsoft.us',
			endpoint: 'https://api-gov.securitycenter.microsoft.us',
			graph: 'https://graph.microsoft.us',
		},
		scopes: { endpoint: ENDPOINT_AUDIENCE.usGovernment },
	},
	usDod: {
		authorityUrl: 'https://login.microsoftonline.us',
		apis: {
			defenderXdr: 'https://api-gov.security.microsoft.us',
			endpoint: 'https://api-gov.securitycenter.microsoft.us',
			graph: 'https://dod-graph.microsoft.us',
		},
		scopes: { endpoint: ENDPOINT_AUDIENCE.usGovernment },
	},
};

export const API_DISPLAY_NAMES: Record<ApiName, string> = {
	defenderXdr: 'Defender XDR API',
	graph: 'Microsoft Graph security API',
	endpoint: 'Defender for Endpoint API',
};

const CUSTOM_URL_FIELDS: Array<{ field: string; label: string; api?: ApiName }> = [
	{ field: 'authorityUrl', label: 'Authority URL' },
	{ field: 'defenderApiUrl', label: 'Defender XDR API URL', api: 'defenderXdr' },
	{ field: 'graphApiUrl', label: 'Graph API URL', api: 'graph' },
	{ field: 'endpointApiUrl', label: 'Defender for Endpoint API URL', api: 'endpoint' },
];

/** Parses a Custom-cloud base URL: https only (tokens must never travel in clear text), no query. */
function parseBaseUrl(value: unknown, field: string, label: string): string {
	const text = typeof value === 'string' ? value.trim() : '';
	if (text === '') {
		throw new CredentialInputError(
			field,
			`${label} is empty. Enter the base URL, e.g. https://api.security.microsoft.com.`,
		);
	}
	if (!URL.canParse(text)) {
		throw new CredentialInputError(
			field,
			`${label} ${quoted(text)} is not a URL. Enter an absolute https:// base URL.`,
		);
	}
	const url = new URL(text);
	if (url.protocol !== 'https:') {
		throw new CredentialInputError(
			field,
			`${label} must use https:// (got ${url.protocol}//). Tokens are never sent over plain HTTP.`,
		);
	}
	if (url.search !== '' || url.hash !== '') {
		throw new CredentialInputError(field, `${label} must be a base URL without "?" or "#" parts.`);
	}
	return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}

export function resolveCloudEndpoints(credentials: ICredentialDataDecryptedObject): CloudEndpoints {
	const cloud = (credentials.cloud ?? 'global') as CloudName;
	if (cloud !== 'custom') {
		const known = NATIONAL_CLOUDS[cloud];
		if (!known) {
			throw new CredentialInputError(
				'cloud',
				`Unknown cloud ${quoted(cloud)}. Pick Global, US GCC, US GCC High, US DoD or Custom.`,
			);
		}
		return {
			...known,
			apis: { ...known.apis },
			scopes: { ...known.scopes },
			quotaWindowMs: MINUTE_MS,
			custom: false,
		};
	}
	const urls: Record<string, string> = {};
	for (const { field, label } of CUSTOM_URL_FIELDS) {
		urls[field] = parseBaseUrl(credentials[field], field, label);
	}
	const windowSeconds = Number(credentials.quotaWindowSeconds ?? 60);
	if (!Number.isFinite(windowSeconds) || windowSeconds < 1 || windowSeconds > 3600) {
		throw new CredentialInputError(
			'quotaWindowSeconds',
			'Quota Window must be between 1 and 3600 seconds (Microsoft uses 60).',
		);
	}
	return {
		authorityUrl: urls.authorityUrl,
		apis: {
			defenderXdr: urls.defenderApiUrl,
			graph: urls.graphApiUrl,
			endpoint: urls.endpointApiUrl,
		},
		quotaWindowMs: windowSeconds * 1000,
		custom: true,
	};
}

/**
 * The absolute URL a request goes to, with `baseURL` and `url` joined the way axios (n8n's HTTP client)
 * joins them. Undefined when parsers could read it differently: backslashes, control characters, outer
 * spaces, a protocol-relative `//host`, anything but one plain https:// URL, or no URL at all.
 */
export function requestTarget(url: unknown, baseURL?: unknown): string | undefined {
	const raw = url instanceof URL ? url.toString() : url;
	const base = baseURL instanceof URL ? baseURL.toString() : baseURL;
	if (
		typeof raw !== 'string' ||
		raw === '' ||
		(base !== undefined && base !== null && typeof base !== 'string')
	)
		return undefined;
	if (
		[raw, base ?? ''].some((part) => /[\\\p{Cc}]/u.test(part) || part !== part.trim()) ||
		raw.startsWith('//')
	)
		return undefined;
	const absolute = /^[a-z][a-z\d+\-.]*:\/\//i.test(raw);
	const joined =
		base && !absolute ? `${base.replace(/\/?\/$/, '')}/${raw.replace(/^\/+/, '')}` : raw;
	return /^https:\/\/[^/]/i.test(joined) && URL.canParse(joined)
		? new URL(joined).toString()
		: undefined;
}

/**
 * Which configured API an absolute URL lies under: the same origin and a path at or below the base's
 * path, compared after parsing (so `..`, `%2e` and look-alike hosts cannot pass). Undefined for any
 * other URL, which must never receive a token.
 */
export function apiOfUrl(endpoints: CloudEndpoints, url: string): ApiName | undefined {
	if (!URL.canParse(url)) return undefined;
	const target = new URL(url);
	if (target.username !== '' || target.password !== '') return undefined;
	const matches = (Object.keys(endpoints.apis) as ApiName[])
		.filter((api) => {
			const base = new URL(endpoints.apis[api]);
			const basePath = base.pathname.replace(/\/+$/, '');
			return (
				target.origin === base.origin &&
				(target.pathname === basePath || target.pathname.startsWith(`${basePath}/`))
			);
		})
		// The longest base wins when one API's base is a prefix of another's (e.g. an emulator on one host).
		.sort((a, b) => endpoints.apis[b].length - endpoints.apis[a].length);
	return matches[0];
}

export function scopeOf(endpoints: CloudEndpoints, api: ApiName): string {
	return endpoints.scopes?.[api] ?? `${endpoints.apis[api]}/.default`;
}
