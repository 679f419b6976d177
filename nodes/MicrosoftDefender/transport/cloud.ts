import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { CredentialInputError } from './errors';

export type CloudName = 'global' | 'usGcc' | 'usGccHigh' | 'usDod' | 'custom';

/** The three Microsoft APIs this package talks to. */
export type ApiName = 'defenderXdr' | 'graph' | 'endpoint';

export interface CloudEndpoints {
	/** Entra ID login host, e.g. `https://login.microsoftonline.com` (no tenant, no trailing slash). */
	authorityUrl: string;
	/** Base URL per API, no trailing slash. The token scope of an API is `<base>/.default`. */
	apis: Record<ApiName, string>;
	/** Length of Microsoft's per-minute quota windows; only a Custom cloud (an emulator) shortens it. */
	quotaWindowMs: number;
	custom: boolean;
}

const MINUTE_MS = 60_000;

const NATIONAL_CLOUDS: Record<Exclude<CloudName, 'custom'>, Omit<CloudEndpoints, 'quotaWindowMs' | 'custom'>> = {
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
	},
	usGccHigh: {
		authorityUrl: 'https://login.microsoftonline.us',
		apis: {
			defenderXdr: 'https://api-gov.security.microsoft.us',
			endpoint: 'https://api-gov.securitycenter.microsoft.us',
			graph: 'https://graph.microsoft.us',
		},
	},
	usDod: {
		authorityUrl: 'https://login.microsoftonline.us',
		apis: {
			defenderXdr: 'https://api-gov.security.microsoft.us',
			endpoint: 'https://api-gov.securitycenter.microsoft.us',
			graph: 'https://dod-graph.microsoft.us',
		},
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
		throw new CredentialInputError(field, `${label} is empty. Enter the base URL, e.g. https://api.security.microsoft.com.`);
	}
	if (!URL.canParse(text)) {
		throw new CredentialInputError(field, `${label} "${text}" is not a URL. Enter an absolute https:// base URL.`);
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
			throw new CredentialInputError('cloud', `Unknown cloud "${String(cloud)}". Pick Global, US GCC, US GCC High, US DoD or Custom.`);
		}
		return { ...known, apis: { ...known.apis }, quotaWindowMs: MINUTE_MS, custom: false };
	}
	const urls: Record<string, string> = {};
	for (const { field, label } of CUSTOM_URL_FIELDS) {
		urls[field] = parseBaseUrl(credentials[field], field, label);
	}
	const windowSeconds = Number(credentials.quotaWindowSeconds ?? 60);
	if (!Number.isFinite(windowSeconds) || windowSeconds < 1 || windowSeconds > 3600) {
		throw new CredentialInputError('quotaWindowSeconds', 'Quota Window must be between 1 and 3600 seconds (Microsoft uses 60).');
	}
	return {
		authorityUrl: urls.authorityUrl,
		apis: { defenderXdr: urls.defenderApiUrl, graph: urls.graphApiUrl, endpoint: urls.endpointApiUrl },
		quotaWindowMs: windowSeconds * 1000,
		custom: true,
	};
}

/** Which configured API a URL belongs to; undefined for any other host, which must never receive a token. */
export function apiOfUrl(endpoints: CloudEndpoints, url: string): ApiName | undefined {
	const matches = (Object.keys(endpoints.apis) as ApiName[])
		.filter((api) => {
			const base = endpoints.apis[api];
			return url === base || url.startsWith(`${base}/`) || url.startsWith(`${base}?`);
		})
		// The longest base wins when one API's base is a prefix of another's (e.g. an emulator on one host).
		.sort((a, b) => endpoints.apis[b].length - endpoints.apis[a].length);
	return matches[0];
}

export function scopeOf(endpoints: CloudEndpoints, api: ApiName): string {
	return `${endpoints.apis[api]}/.default`;
}
