import type { IExecuteFunctions, IHttpRequestOptions } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import { jitteredBackoff } from './backoff';
import { apiErrorWithMessage, redact } from './errors';

/** The pre-signed link has expired (Azure Storage answers 403): the caller asks Defender for a new one. */
export const EXPIRED = Symbol('expired link');

const MAX_TRANSIENT_RETRIES = 4;
const TRANSIENT_BASE_DELAY_MS = 400;
const DEFAULT_TIMEOUT_MS = 300_000;

interface FullResponse {
	statusCode: number;
	headers: Record<string, string | string[] | undefined>;
	body: unknown;
}

/** A link without its query string: the signature (`sig=`) in it is a secret for as long as the link lives. */
export function linkForDisplay(link: string): string {
	try {
		const url = new URL(link);
		return `${url.origin}${url.pathname}`;
	} catch {
		return '(invalid link)';
	}
}

/** Azure Storage's error code and message from its XML error body. */
function storageError(body: Buffer): string {
	const text = body.toString('utf8');
	const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1];
	const message = /<Message>([^<]*)<\/Message>/.exec(text)?.[1]?.split('\n')[0];
	return [code, message].filter(Boolean).join(': ') || text.slice(0, 200);
}

/**
 * Downloads a file behind a pre-signed link that Defender handed out (live response results,
 * investigation packages). The link carries its own authorisation, so no bearer token is sent: it
 * points at a storage host, not at an API of the credential. Retries network failures and 5xx (a GET
 * is safe to repeat); a 403 means the link expired (EXPIRED).
 */
export async function downloadLink(
	this: IExecuteFunctions,
	link: string,
	what: string,
	itemIndex: number,
	timeoutMs = DEFAULT_TIMEOUT_MS,
): Promise<Buffer | typeof EXPIRED> {
	const shown = linkForDisplay(link);
	if (!/^https:\/\//i.test(link)) {
		throw apiErrorWithMessage(
			this.getNode(),
			`Defender returned a download link for ${what} that is not https (${shown}); it was not opened.`,
			{ itemIndex },
		);
	}
	const options: IHttpRequestOptions = {
		method: 'GET',
		url: link,
		encoding: 'arraybuffer',
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		timeout: timeoutMs,
	};
	for (let attempt = 0; ; attempt++) {
		let response: FullResponse;
		try {
			response = (await this.helpers.httpRequest(options)) as FullResponse;
		} catch (error) {
			if (attempt < MAX_TRANSIENT_RETRIES) {
				await sleep(jitteredBackoff(attempt, TRANSIENT_BASE_DELAY_MS));
				continue;
			}
			const reason = redact(error instanceof Error ? error.message : String(error))
				.split(link)
				.join(shown);
			throw apiErrorWithMessage(
				this.getNode(),
				`Downloading ${what} from ${new URL(link).host} failed after ${attempt + 1} attempts: ${reason}`,
				{ itemIndex },
			);
		}
		const body = Buffer.isBuffer(response.body)
			? response.body
			: Buffer.from(response.body as ArrayBuffer);
		if (response.statusCode >= 200 && response.statusCode < 300) return body;
		if (response.statusCode === 403) return EXPIRED;
		if (response.statusCode >= 500 && attempt < MAX_TRANSIENT_RETRIES) {
			await sleep(jitteredBackoff(attempt, TRANSIENT_BASE_DELAY_MS));
			continue;
		}
		throw apiErrorWithMessage(
			this.getNode(),
			`Downloading ${what} failed (${response.statusCode}): ${storageError(body)}`,
			{
				itemIndex,
				httpCode: String(response.statusCode),
				description: `Link: ${shown}`,
			},
		);
	}
}

/**
 * Gets a fresh link and downloads it; when the link has expired by the time it is used (it lives about
 * 30 minutes), asks for a new one once.
 */
export async function downloadWithFreshLink(
	this: IExecuteFunctions,
	getLink: () => Promise<string>,
	what: string,
	itemIndex: number,
): Promise<Buffer> {
	for (let attempt = 0; attempt < 2; attempt++) {
		const data = await downloadLink.call(this, await getLink(), what, itemIndex);
		if (data !== EXPIRED) return data;
	}
	throw apiErrorWithMessage(
		this.getNode(),
		`Defender's download link for ${what} was refused as expired twice in a row.`,
		{
			itemIndex,
			httpCode: '403',
			description:
				'Links are valid for 30 minutes from when they are issued; a new one was requested and also refused. Check that the clock of this n8n host is right, then run the item again.',
		},
	);
}
