import type { IBinaryKeyData, IDataObject, INode, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

/**
 * A credential field holds a value that cannot work; raised before any network call.
 * The message names the field and the fix, so it can be shown as it is.
 */
export class CredentialInputError extends Error {
	constructor(
		readonly field: string,
		message: string,
	) {
		super(message);
		this.name = 'CredentialInputError';
	}
}

/** Entra ID refused to issue a token; `message` is already in plain words and free of secrets. */
export class TokenAcquisitionError extends Error {
	constructor(
		message: string,
		readonly aadstsCode?: string,
		readonly description?: string,
	) {
		super(message);
		this.name = 'TokenAcquisitionError';
	}
}

/** The credential would not put a token on a request: its URL is not under one of the credential's APIs. */
export class TokenRefusedError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'TokenRefusedError';
	}
}

/**
 * A request would change a device or account that the credential's Protected Devices / Accounts cover,
 * or whose protection cannot be checked; nothing was sent. `description` says what to do.
 */
export class ProtectionRefusedError extends Error {
	constructor(
		message: string,
		readonly description: string,
	) {
		super(message);
		this.name = 'ProtectionRefusedError';
	}
}

/** The Node.js/undici code of a failed connection, from the error or its causes (fetch wraps it). */
export function networkErrorCode(error: unknown): string | undefined {
	let current: unknown = error;
	for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
		const code = (current as { code?: unknown }).code;
		if (typeof code === 'string' && code !== '') return code;
		current = (current as { cause?: unknown }).cause;
	}
	return undefined;
}

const NETWORK_CAUSES: Record<string, string> = {
	ECONNREFUSED: 'connection refused',
	ECONNRESET: 'connection reset',
	ECONNABORTED: 'no answer in time',
	ETIMEDOUT: 'connection timed out',
	UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
	UND_ERR_SOCKET: 'connection closed',
	EPIPE: 'connection closed',
	ENOTFOUND: 'host name not found',
	EAI_AGAIN: 'host name lookup failed',
	ENETUNREACH: 'network unreachable',
	EHOSTUNREACH: 'host unreachable',
	ERR_BAD_PORT: 'Node.js does not connect to this port (reserved for another protocol)',
};

/** A network error code in plain words, for the headline of an error; the code itself goes in its description. */
export function networkCauseInWords(code: string | undefined): string {
	if (code === undefined) return 'network error';
	if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|TLS/.test(code))
		return "the server's TLS certificate is not trusted";
	return NETWORK_CAUSES[code] ?? 'network error';
}

const BEARER_PATTERN = /\b(Bearer\s+)[A-Za-z0-9\-_=]+\.[A-Za-z0-9\-_=]+\.?[A-Za-z0-9\-_.+/=]*/gi;
const JWT_PATTERN = /\beyJ[A-Za-z0-9\-_=]+\.eyJ[A-Za-z0-9\-_=]+\.[A-Za-z0-9\-_.+/=]*/g;
const PEM_PATTERN = /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g;

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A secret as it may be echoed back: as it is, URL-encoded (encodeURIComponent) and form-encoded
 * (application/x-www-form-urlencoded: `+` for spaces, `!'()~` escaped too). Percent escapes match in
 * either case, as servers print them either way.
 */
function secretPattern(secret: string): RegExp {
	const encoded = [
		encodeURIComponent(secret),
		new URLSearchParams({ s: secret }).toString().slice(2),
	].filter((form) => form !== secret);
	const escapes = [...new Set(encoded)].map((form) =>
		escapeRegExp(form).replace(
			/%([0-9A-F]{2})/g,
			(_match, hex: string) => `%(?:${hex}|${hex.toLowerCase()})`,
		),
	);
	return new RegExp([escapeRegExp(secret), ...escapes].join('|'), 'g');
}

/**
 * Removes anything secret from text that may reach a user, a log or node output: the given secret
 * values (also URL- and form-encoded), bearer tokens, JWTs and PEM private keys.
 */
export function redact(text: string, secrets: Array<string | undefined> = []): string {
	let result = text
		.replace(PEM_PATTERN, '[redacted private key]')
		.replace(BEARER_PATTERN, '$1[redacted]')
		.replace(JWT_PATTERN, '[redacted token]');
	for (const secret of secrets) {
		if (secret && secret.length >= 4) {
			result = result.replace(secretPattern(secret), '[redacted]');
		}
	}
	return result;
}

/**
 * A NodeApiError that shows exactly `message`. NodeApiError swaps a message naming a Node.js error code
 * (ECONNRESET…) for n8n's generic "you can retry immediately"; ours says whether repeating is safe.
 */
export function apiErrorWithMessage(
	node: INode,
	message: string,
	details: { description?: string; httpCode?: string; code?: string; itemIndex?: number } = {},
): NodeApiError {
	const error = new NodeApiError(
		node,
		{
			message,
			description: details.description ?? null,
			code: details.code ?? null,
			httpCode: details.httpCode ?? null,
		} as JsonObject,
		{
			message,
			description: details.description,
			httpCode: details.httpCode,
			itemIndex: details.itemIndex,
		},
	);
	error.message = message;
	return error;
}

/**
 * An item failed after part of it completed (a live response session whose later command failed): the
 * router outputs `partial` with the error when Continue On Fail is on; otherwise the description carries it.
 */
export class PartialResultError extends NodeOperationError {
	constructor(
		node: INode,
		message: string,
		options: { itemIndex?: number; description?: string },
		readonly partial: { json: IDataObject; binary?: IBinaryKeyData },
	) {
		super(node, message, options);
	}
}
