import { networkErrorCode } from './errors';
import {
	AuthError,
	type INetworkModule,
	type NetworkRequestOptions,
	type NetworkResponse,
} from './vendor';

/**
 * A failed connection to the token endpoint, with the cause's code (ECONNREFUSED, ENOTFOUND…).
 * MSAL's own HTTP client folds the cause into a long message and drops its code; this keeps it.
 */
export class TokenNetworkError extends AuthError {
	constructor(readonly causeCode: string | undefined) {
		super('network_error', `Network request failed${causeCode ? ` (${causeCode})` : ''}`);
		// AuthError's constructor resets the prototype to its own; restore this class's.
		Object.setPrototypeOf(this, TokenNetworkError.prototype);
		this.name = 'TokenNetworkError';
	}
}

function causeCodeOf(error: unknown): string | undefined {
	if (error instanceof Error && error.name === 'TimeoutError') return 'ETIMEDOUT';
	// fetch refuses ports reserved for other protocols (1, 22, 25…) before connecting, without a code.
	if (error instanceof Error && error.cause instanceof Error && error.cause.message === 'bad port')
		return 'ERR_BAD_PORT';
	return networkErrorCode(error);
}

async function send<T>(
	url: string,
	method: 'GET' | 'POST',
	options?: NetworkRequestOptions,
	timeoutMs?: number,
): Promise<NetworkResponse<T>> {
	const response = await fetch(url, {
		method,
		headers: options?.headers,
		body: method === 'POST' ? (options?.body ?? '') : undefined,
		signal: timeoutMs ? AbortSignal.timeout(timeoutMs) : undefined,
	}).catch((error: unknown) => new TokenNetworkError(causeCodeOf(error)));
	if (response instanceof TokenNetworkError) throw response;
	const headers: Record<string, string> = {};
	response.headers.forEach((value, key) => {
		headers[key] = value;
	});
	const body = await response.json().then(
		(value: unknown) => ({ value: value as T }),
		() => undefined,
	);
	if (!body) {
		throw new AuthError(
			'token_parsing_error',
			`Failed to parse the response (HTTP ${response.status}, ${response.headers.get('content-type') ?? 'no content type'})`,
		);
	}
	return { headers, body: body.value, status: response.status };
}

/** The HTTP client MSAL uses for Entra ID: the same requests as MSAL's default one, with readable failures. */
export const tokenHttpClient: INetworkModule = {
	sendGetRequestAsync: async <T>(url: string, options?: NetworkRequestOptions, timeout?: number) =>
		await send<T>(url, 'GET', options, timeout),
	sendPostRequestAsync: async <T>(url: string, options?: NetworkRequestOptions) =>
		await send<T>(url, 'POST', options),
};
