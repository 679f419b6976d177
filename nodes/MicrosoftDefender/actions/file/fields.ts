import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { defenderApiRequest, type ApiSession } from '../../transport/request';
import { inputError } from '../lookup';

export const shaField: INodeProperties = {
	displayName: 'SHA-1 or SHA-256',
	name: 'sha',
	type: 'string',
	default: '',
	required: true,
	placeholder: 'e.g. 4388963aaa83afe2042a46a3c017ad50bdcdafb3',
	description: 'Hash of the file: SHA-1 (40 hex characters) or SHA-256 (64)',
};

/** The hash from the item, lower-cased; refused before any call when it is neither a SHA-1 nor a SHA-256. */
export function shaFrom(context: IExecuteFunctions, index: number): string {
	const sha = String(context.getNodeParameter('sha', index, ''))
		.trim()
		.toLowerCase();
	if (!/^(?:[0-9a-f]{40}|[0-9a-f]{64})$/.test(sha)) {
		throw inputError(
			context,
			index,
			`"${sha}" is not a SHA-1 (40 hex characters) or SHA-256 (64). Enter the file's hash, e.g. from the alert's evidence.`,
		);
	}
	return sha;
}

const fileNotFound = (sha: string) =>
	`Defender does not know a file with hash ${sha}. Check the hash; files never seen by Defender have no record.`;

export function fileRequest(
	sha: string,
	suffix = '',
): { path: string; permission: string; notFoundMessage: string } {
	return {
		path: `/api/files/${sha}${suffix}`,
		permission: 'File.Read.All',
		notFoundMessage: fileNotFound(sha),
	};
}

/**
 * The SHA-1 for the calls Microsoft serves only by SHA-1 (devices and alerts of a file): a SHA-256 is
 * looked up first (File.Read.All), and a file Defender does not know is an error saying so.
 */
export async function sha1For(
	this: IExecuteFunctions,
	index: number,
	session: ApiSession,
	sha: string,
): Promise<string> {
	if (sha.length === 40) return sha;
	const file = await defenderApiRequest.call(this, session, {
		method: 'GET',
		...fileRequest(sha),
		quota: 'endpoint',
		notFoundMessage: `Defender lists a file's devices and alerts by SHA-1 only; the SHA-1 of SHA-256 ${sha} was looked up, but Defender does not know this file.`,
	});
	if (typeof file.sha1 !== 'string' || file.sha1 === '') {
		throw inputError(
			this,
			index,
			`Defender lists a file's devices and alerts by SHA-1 only, and has no SHA-1 for SHA-256 ${sha}. Use the file's SHA-1.`,
		);
	}
	return file.sha1.toLowerCase();
}
