import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	IExecuteFunctions,
	IHttpRequestMethods,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	IPollFunctions,
} from 'n8n-workflow';
import { NodeApiError, NodeOperationError, sleep } from 'n8n-workflow';

import { jitteredBackoff } from './backoff';
import { API_DISPLAY_NAMES, apiOfUrl, scopeOf, type ApiName } from './cloud';
import {
	apiErrorWithMessage,
	CredentialInputError,
	networkCauseInWords,
	networkErrorCode,
	ProtectionRefusedError,
	redact,
	TokenAcquisitionError,
	TokenRefusedError,
} from './errors';
import { identityFromCredentials, secretsOf, type AppIdentity } from './identity';
import { refuseProtectedRequest } from './protectionGuard';
import { parseJsonText } from './json';
import { quotaWindows, type QuotaCategory } from './quotas';
import { acquireQuotaSlot, QuotaExhaustedError } from './rateLimiter';
import { getAccessToken, invalidateAccessToken } from './tokenProvider';
import { clipped } from '../helpers/validate';

export const CREDENTIAL_TYPE = 'microsoftDefenderApi';

export type DefenderContext = IExecuteFunctions | IPollFunctions | ILoadOptionsFunctions;

/** Which API and tenant an operation talks to; fixed per item. */
export interface ApiSession {
	api: ApiName;
	/** The node's Tenant ID option (MSSP: one multi-tenant app, many customer tenants). */
	tenantId?: string;
	itemIndex?: number;
	/** The node's Timeout option; overrides the request's own default. */
	timeoutMs?: number;
}

export interface ApiRequest {
	method: IHttpRequestMethods;
	/** Path under the API's base URL, e.g. `/api/incidents`; or `url` for an absolute `@odata.nextLink`. */
	path?: string;
	url?: string;
	qs?: IDataObject;
	/** JSON, or raw bytes with their `content-type` in `headers` (multipart uploads). */
	body?: IDataObject | Buffer;
	headers?: Record<string, string>;
	quota: QuotaCategory;
	/** The application permission that allows this call, named when the service answers 403. */
	permission: string;
	/**
	 * Safe to send twice? GETs, queries and DELETEs are. A call that changes state (a response action, a
	 * comment, an update, an indicator) is not: it is never re-sent after a failure whose outcome is unknown.
	 */
	idempotent?: boolean;
	timeoutMs?: number;
	/** Message for a 404, e.g. `Incident 42 not found`. */
	notFoundMessage?: string;
	/** Keep integers beyond 2^53 exact (as strings), e.g. Int64 columns of hunting results. */
	exactIntegers?: boolean;
	/** What the user can do when the call fails for load reasons (throttling, timeouts, 5xx). */
	loadHint?: string;
}

/** Longest `Retry-After` this package waits for; a longer one fails the call with the time to retry. */
export const MAX_RETRY_AFTER_SECONDS = 120;
const MAX_THROTTLED_RETRIES = 6;
const MAX_TRANSIENT_RETRIES = 4;
const TRANSIENT_BASE_DELAY_MS = 400;
const DEFAULT_TIMEOUT_MS = 60_000;
const REQUEST_ID_HEADERS = [
	'request-id',
	'x-ms-request-id',
	'client-request-id',
	'x-ms-correlation-request-id',
];
const NETWORK_ERROR_CODES = new Set([
	'ECONNRESET',
	'ECONNREFUSED',
	'ECONNABORTED',
	'ETIMEDOUT',
	'EPIPE',
	'ENOTFOUND',
	'EAI_AGAIN',
	'ENETUNREACH',
	'EHOSTUNREACH',
	'ERR_SOCKET_CONNECTION_TIMEOUT',
]);

interface FullResponse {
	statusCode: number;
	headers: Record<string, string | string[] | undefined>;
	body: unknown;
}

function header(response: FullResponse, name: string): string | undefined {
	const value = response.headers[name] ?? response.headers[name.toLowerCase()];
	return Array.isArray(value) ? value[0] : value;
}

/** `Retry-After` as seconds or an HTTP date, in milliseconds; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
	if (value === undefined || value.trim() === '') return undefined;
	const seconds = Number(value);
	if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
	const date = Date.parse(value);
	return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function bodyText(body: unknown): string {
	if (typeof body === 'string') return body;
	if (Buffer.isBuffer(body)) return body.toString('utf8');
	return body === undefined || body === null ? '' : JSON.stringify(body);
}

/** The service's own words from any of the error shapes Microsoft APIs use. */
export function serviceMessage(parsed: unknown): { code?: string; message?: string } {
	if (typeof parsed !== 'object' || parsed === null) return {};
	const record = parsed as Record<string, unknown>;
	const error = record.error;
	if (typeof error === 'object' && error !== null) {
		const inner = error as Record<string, unknown>;
		const message = inner.message ?? inner.Message;
		return {
			code: typeof inner.code === 'string' ? inner.code : undefined,
			message: typeof message === 'string' ? message : undefined,
		};
	}
	const message = record.error_description ?? record.message ?? record.Message ?? record.detail;
	return {
		code:
			typeof error === 'string' ? error : typeof record.code === 'string' ? record.code : undefined,
		message: typeof message === 'string' ? message : undefined,
	};
}

function describeNonJson(text: string): string {
	const title = /<title>([^<]*)<\/title>/i.exec(text)?.[1]?.trim();
	if (/^\s*</.test(text))
		return `an HTML page${title ? ` ("${title}")` : ''} — a proxy or gateway answered, not the API`;
	return `a body that is not valid JSON (${text.length} bytes, starting "${text.slice(0, 60).replace(/\s+/g, ' ')}")`;
}

function parseJson(
	text: string,
	exactIntegers?: boolean,
): { ok: true; value: unknown } | { ok: false } {
	if (text.trim() === '') return { ok: true, value: {} };
	try {
		return { ok: true, value: parseJsonText(text, exactIntegers) };
	} catch {
		return { ok: false };
	}
}

export function toNodeError(
	context: DefenderContext,
	error: unknown,
	itemIndex?: number,
): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	if (error instanceof CredentialInputError) {
		return new NodeOperationError(context.getNode(), error.message, {
			itemIndex,
			description: `Fix the field "${error.field}" of the Microsoft Defender API credential${error.field.startsWith('options.') ? ' (here: the node option Tenant ID)' : ''}.`,
		});
	}
	if (error instanceof TokenAcquisitionError || error instanceof ProtectionRefusedError) {
		return new NodeOperationError(context.getNode(), error.message, {
			itemIndex,
			description: error.description,
		});
	}
	return new NodeOperationError(
		context.getNode(),
		redact(error instanceof Error ? error.message : String(error)),
		{ itemIndex },
	);
}

async function credentialsOf(
	context: DefenderContext,
	itemIndex?: number,
): Promise<ICredentialDataDecryptedObject> {
	return await context.getCredentials<ICredentialDataDecryptedObject>(CREDENTIAL_TYPE, itemIndex);
}

/** Resolves the credential (with the node's tenant override) once; callers reuse it for every call of an item. */
export async function resolveIdentity(
	context: DefenderContext,
	session: ApiSession,
): Promise<{ identity: AppIdentity; credentials: ICredentialDataDecryptedObject }> {
	const credentials = await credentialsOf(context, session.itemIndex);
	try {
		const identity = identityFromCredentials(credentials, session.tenantId);
		return { identity, credentials: { ...credentials, tenantId: identity.tenantId } };
	} catch (error) {
		throw toNodeError(context, error, session.itemIndex);
	}
}

interface AttemptOutcome {
	retry: boolean;
	delayMs?: number;
	error?: Error;
}

class ApiCall {
	private throttled = 0;
	private transient = 0;
	private refreshedToken = false;

	constructor(
		private readonly context: DefenderContext,
		private readonly session: ApiSession,
		private readonly request: ApiRequest,
		private readonly identity: AppIdentity,
		private readonly credentials: ICredentialDataDecryptedObject,
		private readonly url: string,
	) {}

	private get apiName(): string {
		return API_DISPLAY_NAMES[this.session.api];
	}

	private get timeoutMs(): number {
		return this.session.timeoutMs ?? this.request.timeoutMs ?? DEFAULT_TIMEOUT_MS;
	}

	private get hint(): string {
		return this.request.loadHint ? ` ${this.request.loadHint}` : '';
	}

	private get idempotent(): boolean {
		return this.request.idempotent ?? this.request.method === 'GET';
	}

	private get notRepeated(): string {
		return ` The ${this.request.method} was not repeated because it may already have been applied: check the result in the Defender portal before running it again.`;
	}

	private apiError(
		status: number,
		message: string,
		description?: string,
		code?: string,
	): NodeApiError {
		const secrets = secretsOf(this.identity);
		const safeMessage = redact(message, secrets);
		const safeDescription = description === undefined ? undefined : redact(description, secrets);
		return apiErrorWithMessage(this.context.getNode(), safeMessage, {
			description: safeDescription,
			httpCode: status ? String(status) : undefined,
			code,
			itemIndex: this.session.itemIndex,
		});
	}

	private requestIdNote(response: FullResponse): string {
		for (const name of REQUEST_ID_HEADERS) {
			const value = header(response, name);
			if (value) return ` Request ID: ${value}.`;
		}
		return '';
	}

	async send(): Promise<unknown> {
		for (;;) {
			const outcome = await this.attempt();
			if ('value' in outcome) return outcome.value;
			if (!outcome.retry) throw outcome.error;
			if (outcome.delayMs) await sleep(outcome.delayMs);
		}
	}

	private async attempt(): Promise<{ value: unknown } | AttemptOutcome> {
		const scope = scopeOf(this.identity.endpoints, this.session.api);
		// Sign in here, not only in the credential's authenticate: n8n wraps what authenticate throws,
		// and n8n 1.x's wrapper drops the original error, so a refused sign-in would look like a
		// network failure. The token is cached: authenticate then reuses it.
		try {
			await getAccessToken(this.identity, scope);
		} catch (error) {
			return { retry: false, error: toNodeError(this.context, error, this.session.itemIndex) };
		}
		// Protected Devices / Accounts, checked here for the same reason; authenticate checks again with
		// what this read found (kept a few seconds), so the device is read once.
		try {
			await refuseProtectedRequest(this.identity, this.credentials, {
				method: this.request.method,
				url: this.url,
				body: this.request.body,
				headers: this.request.headers,
			});
		} catch (error) {
			return { retry: false, error: toNodeError(this.context, error, this.session.itemIndex) };
		}
		let release: () => void;
		try {
			release = await acquireQuotaSlot(
				`${this.identity.tenantId.toLowerCase()}|${this.identity.endpoints.apis[this.session.api]}|${this.request.quota}`,
				quotaWindows(
					this.request.quota,
					this.identity.endpoints.quotaWindowMs,
					this.identity.quotaProcesses,
				),
				MAX_RETRY_AFTER_SECONDS * 1000,
			);
		} catch (error) {
			if (!(error instanceof QuotaExhaustedError))
				throw toNodeError(this.context, error, this.session.itemIndex);
			return {
				retry: false,
				error: this.apiError(
					429,
					`${this.apiName}: this app's ${error.message} in tenant ${this.identity.tenantId}, longer than the ${MAX_RETRY_AFTER_SECONDS} s this node waits.`,
					`Microsoft's documented quota; waiting is cheaper than being throttled. Run the workflow less often or spread it over time.${this.hint}`,
					'TooManyRequests',
				),
			};
		}
		const options: IHttpRequestOptions = {
			method: this.request.method,
			url: this.url,
			qs: this.request.qs,
			body: this.request.body,
			headers: this.request.headers,
			json: true,
			// The body is parsed here, so that a truncated or HTML answer is recognised and explained.
			encoding: 'text',
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			timeout: this.timeoutMs,
			// A redirect would carry the request (and n8n would carry the token) to a URL not checked here.
			disableFollowRedirect: true,
			sendCredentialsOnCrossOriginRedirect: false,
		};
		let response: FullResponse;
		try {
			response = (await this.context.helpers.httpRequestWithAuthentication.call(
				this.context,
				CREDENTIAL_TYPE,
				options,
				{
					credentialsDecrypted: {
						id: CREDENTIAL_TYPE,
						name: CREDENTIAL_TYPE,
						type: CREDENTIAL_TYPE,
						data: this.credentials,
					},
				},
			)) as FullResponse;
		} catch (error) {
			return this.networkFailure(error);
		} finally {
			release();
		}
		return this.interpret(response, scope);
	}

	private networkFailure(error: unknown): AttemptOutcome {
		const failure = unwrapAuthenticationFailure(error);
		if (failure)
			return { retry: false, error: toNodeError(this.context, failure, this.session.itemIndex) };
		const code = networkErrorCode(error);
		if (code === 'ERR_CANCELED')
			return { retry: false, error: toNodeError(this.context, error, this.session.itemIndex) };
		const timedOut =
			code === 'ECONNABORTED' ||
			code === 'ETIMEDOUT' ||
			/timeout/i.test(String((error as Error)?.message));
		// A refused connection never reached the service; other failures may have, so only idempotent calls repeat.
		const safeToRepeat = this.idempotent || code === 'ECONNREFUSED';
		if (
			safeToRepeat &&
			(code === undefined || NETWORK_ERROR_CODES.has(code) || timedOut) &&
			this.transient < MAX_TRANSIENT_RETRIES
		) {
			return { retry: true, delayMs: jitteredBackoff(this.transient++, TRANSIENT_BASE_DELAY_MS) };
		}
		const target = new URL(this.url);
		const what = timedOut
			? `no answer within ${Math.round(this.timeoutMs / 1000)} s`
			: networkCauseInWords(code);
		const todo = safeToRepeat
			? `Check the network between n8n and ${target.host}${timedOut ? ' or raise the Timeout option' : ''}.`
			: this.notRepeated.trim();
		const cause = code && !timedOut ? `Cause: ${code}. ` : '';
		const tries = safeToRepeat ? ` Tried ${this.transient + 1} times.` : '';
		const hint = timedOut ? this.hint : '';
		return {
			retry: false,
			error: this.apiError(
				0,
				`Could not reach the ${this.apiName}: ${what}. ${todo}`,
				`${cause}Endpoint: ${this.request.method} ${target.origin}${target.pathname}.${tries}${hint}`,
			),
		};
	}

	private interpret(response: FullResponse, scope: string): { value: unknown } | AttemptOutcome {
		const status = response.statusCode;
		const text = bodyText(response.body);
		const parsed = parseJson(text, this.request.exactIntegers);
		if (status >= 200 && status < 300) {
			if (parsed.ok) return { value: parsed.value };
			if (this.idempotent && this.transient < MAX_TRANSIENT_RETRIES) {
				return { retry: true, delayMs: jitteredBackoff(this.transient++, TRANSIENT_BASE_DELAY_MS) };
			}
			return {
				retry: false,
				error: this.apiError(
					status,
					`${this.apiName} answered ${status} with ${describeNonJson(text)}.${this.idempotent ? '' : this.notRepeated}`,
				),
			};
		}
		if (status >= 300 && status < 400) return { retry: false, error: this.redirectError(response) };
		const { code, message } = parsed.ok ? serviceMessage(parsed.value) : {};
		const said =
			message ?? (parsed.ok ? undefined : describeNonJson(redact(text, secretsOf(this.identity))));
		const requestId = this.requestIdNote(response);

		if (status === 401 && !this.refreshedToken) {
			this.refreshedToken = true;
			invalidateAccessToken(this.identity, scope, Date.now());
			return { retry: true };
		}
		if (status === 429) return this.throttledOutcome(response, said, requestId);
		// A 5xx does not say whether the call was carried out; only a 429 (and a 401, refused before any work) says it was not.
		if (
			[500, 502, 503, 504].includes(status) &&
			this.idempotent &&
			this.transient < MAX_TRANSIENT_RETRIES
		) {
			const retryAfter = parseRetryAfter(header(response, 'retry-after'));
			const delayMs =
				retryAfter !== undefined && retryAfter <= MAX_RETRY_AFTER_SECONDS * 1000
					? retryAfter
					: jitteredBackoff(this.transient, TRANSIENT_BASE_DELAY_MS);
			this.transient++;
			return { retry: true, delayMs };
		}
		return { retry: false, error: this.finalError(status, code, said, requestId, scope) };
	}

	private redirectError(response: FullResponse): NodeApiError {
		const location = header(response, 'location');
		const base = this.identity.endpoints.apis[this.session.api];
		return this.apiError(
			response.statusCode,
			`${this.apiName} answered ${response.statusCode} (a redirect) to ${location ? clipped(location, 200) : 'no location'}.`,
			`The redirect was not followed: this node sends its token only to the configured ${this.apiName} (${base}). Check the credential's Cloud (or its Custom URLs) and any proxy in between.${this.requestIdNote(response)}`,
		);
	}

	private throttledOutcome(
		response: FullResponse,
		said: string | undefined,
		requestId: string,
	): AttemptOutcome {
		const retryAfter = parseRetryAfter(header(response, 'retry-after'));
		if (retryAfter !== undefined && retryAfter > MAX_RETRY_AFTER_SECONDS * 1000) {
			return {
				retry: false,
				error: this.apiError(
					429,
					`${this.apiName} quota exhausted: the service asks to wait ${Math.ceil(retryAfter / 1000)} s, longer than the ${MAX_RETRY_AFTER_SECONDS} s this node waits.`,
					`${said ?? ''} Run the workflow less often or spread it over time.${this.hint}${requestId}`,
					'TooManyRequests',
				),
			};
		}
		if (this.throttled >= MAX_THROTTLED_RETRIES) {
			return {
				retry: false,
				error: this.apiError(
					429,
					`${this.apiName} kept answering 429 Too Many Requests (${this.throttled + 1} times in a row).`,
					`${said ?? ''} Another client probably shares this app's quota in tenant ${this.identity.tenantId}; lower the number of parallel executions or workers.${requestId}`,
					'TooManyRequests',
				),
			};
		}
		// Jitter on top of Retry-After keeps workers that were throttled together from returning together.
		const delayMs =
			retryAfter !== undefined
				? retryAfter + Math.round(Math.random() * Math.min(1000, retryAfter * 0.2 + 100))
				: jitteredBackoff(this.throttled, 1000);
		this.throttled++;
		return { retry: true, delayMs };
	}

	private finalError(
		status: number,
		code: string | undefined,
		said: string | undefined,
		requestId: string,
		scope: string,
	): NodeApiError {
		const serviceSays = said ? ` The service says: ${said}` : '';
		switch (status) {
			case 401:
				return this.apiError(
					401,
					`${this.apiName} rejected the access token twice (401).`,
					`A new token was requested and also refused. Check that the Cloud setting matches the tenant and that the app is consented there.${serviceSays}${requestId}`,
					code,
				);
			case 403:
				// A permission granted since the token was issued only shows up in a new token.
				invalidateAccessToken(this.identity, scope, Date.now());
				return this.apiError(
					403,
					`The app lacks the application permission ${this.request.permission} on the ${this.apiName} (403 Forbidden).`,
					`In the app registration, add ${this.request.permission} under API permissions (Application permissions), then click "Grant admin consent" for tenant ${this.identity.tenantId}.${serviceSays}${requestId}`,
					code,
				);
			case 404:
				return this.apiError(
					404,
					this.request.notFoundMessage ?? `Not found (404) at the ${this.apiName}.`,
					`${said ?? ''}${requestId}`.trim() || undefined,
					code,
				);
			default: {
				const kind =
					status >= 500 ? 'a server error' : status === 400 ? 'a bad request' : `status ${status}`;
				const attempts =
					status >= 500 && this.transient > 0 ? ` after ${this.transient + 1} attempts` : '';
				const hint = status >= 500 || status === 408 ? this.hint : '';
				const details = said ?? 'no details given';
				const notRepeated =
					status >= 500 && !this.idempotent
						? `${/[.!?]$/.test(details) ? '' : '.'}${this.notRepeated}`
						: '';
				return this.apiError(
					status,
					`${this.apiName} answered ${status} (${kind})${attempts}: ${details}${notRepeated}`,
					`${hint}${requestId}`.trim() || undefined,
					code,
				);
			}
		}
	}
}

/** n8n wraps errors thrown by the credential's `authenticate` in its own error; 2.x keeps the original as `cause`. */
function unwrapAuthenticationFailure(
	error: unknown,
):
	| TokenAcquisitionError
	| CredentialInputError
	| TokenRefusedError
	| ProtectionRefusedError
	| undefined {
	let current: unknown = error;
	for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
		if (
			current instanceof TokenAcquisitionError ||
			current instanceof CredentialInputError ||
			current instanceof TokenRefusedError ||
			current instanceof ProtectionRefusedError
		)
			return current;
		current = (current as { cause?: unknown }).cause;
	}
	return undefined;
}

/**
 * The one request function: every operation, the trigger and paging call it. It resolves the URL under
 * the credential's cloud, waits for a quota slot, sends through n8n with the credential's bearer token,
 * retries what is safe to retry, and turns failures into NodeApiErrors in plain words.
 */
export async function defenderApiRequest(
	this: DefenderContext,
	session: ApiSession,
	request: ApiRequest,
	resolved?: { identity: AppIdentity; credentials: ICredentialDataDecryptedObject },
): Promise<IDataObject> {
	const { identity, credentials } = resolved ?? (await resolveIdentity(this, session));
	const base = identity.endpoints.apis[session.api];
	const url = request.url ?? `${base}${request.path ?? ''}`;
	// The credential picks the token's audience from the URL: it must be this API's (several APIs may share one base URL).
	const owner = apiOfUrl(identity.endpoints, url);
	if (owner === undefined || identity.endpoints.apis[owner] !== base) {
		throw new NodeOperationError(
			this.getNode(),
			`A link in the ${API_DISPLAY_NAMES[session.api]}'s answer points elsewhere; no token was sent to it.`,
			{
				itemIndex: session.itemIndex,
				description: `Link: ${new URL(url).origin}${new URL(url).pathname}. Expected a URL under ${base}. If the API URLs of a Custom cloud are set, check them in the credential.`,
			},
		);
	}
	return (await new ApiCall(
		this,
		session,
		request,
		identity,
		credentials,
		url,
	).send()) as IDataObject;
}
