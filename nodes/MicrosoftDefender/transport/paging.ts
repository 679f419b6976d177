import type { IDataObject, ICredentialDataDecryptedObject } from 'n8n-workflow';

import type { AppIdentity } from './identity';
import {
	defenderApiRequest,
	resolveIdentity,
	type ApiRequest,
	type ApiSession,
	type DefenderContext,
} from './request';

/** Largest page each API serves for lists: `$top` above it is refused. */
export const PAGE_SIZE = { defenderXdr: 100, graph: 50, endpoint: 10_000 } as const;

interface ODataPage {
	value?: IDataObject[];
	'@odata.nextLink'?: string;
}

/** Where the next page starts: the service's `@odata.nextLink`, or a `$skip` offset. */
export type PageCursor = { nextLink: string } | { skip: number };

/**
 * The request for one page of `top` records from `cursor` (the first page without one). No `top`: a list
 * that documents neither `$top` nor `$skip`, paged by the service's `@odata.nextLink` alone.
 */
function pageRequest(
	request: ApiRequest,
	top: number | undefined,
	cursor?: PageCursor,
): ApiRequest {
	if (cursor && 'nextLink' in cursor)
		return { ...request, path: undefined, url: cursor.nextLink, qs: undefined };
	if (top === undefined) return request;
	return { ...request, qs: { ...request.qs, $top: top, $skip: cursor?.skip || undefined } };
}

/**
 * One page and where the next one starts, for callers that resume later (the "From list" searches hand the
 * cursor to n8n as their pagination token). No cursor when the list ended.
 */
export async function listPage(
	this: DefenderContext,
	session: ApiSession,
	request: ApiRequest,
	top: number | undefined,
	cursor?: PageCursor,
): Promise<{ records: IDataObject[]; next?: PageCursor }> {
	const page: ODataPage = await defenderApiRequest.call(
		this,
		session,
		pageRequest(request, top, cursor),
	);
	const records = Array.isArray(page.value) ? page.value : [];
	const nextLink = page['@odata.nextLink'];
	if (nextLink) return { records, next: { nextLink } };
	const skipped = cursor && 'skip' in cursor ? cursor.skip : 0;
	// Without nextLink only a full page says there may be more.
	return {
		records,
		next:
			top !== undefined && records.length === top && !(cursor && 'nextLink' in cursor)
				? { skip: skipped + records.length }
				: undefined,
	};
}

export interface PageOptions {
	/** Stop asking once this many records arrived (Limit). Undefined = every page (Return All). */
	wanted?: number;
	/** Override the page size (smaller pages, e.g. with `$expand=alerts` on a large tenant). */
	pageSize?: number;
	/** The list documents no `$top`/`$skip`: ask without them and follow `@odata.nextLink` only. */
	nextLinkOnly?: boolean;
}

/**
 * Yields an OData list page by page. Follows `@odata.nextLink` when the service gives one; otherwise
 * pages with `$skip` by the number of records received, and stops on a short page. With `wanted`, `$top`
 * asks for no more than is still needed, so a Limit of 7 costs one request; and a list of 10,000 costs
 * exactly 100 requests of 100 when the service announces its pages.
 */
export async function* listPages(
	this: DefenderContext,
	session: ApiSession,
	request: ApiRequest,
	options: PageOptions = {},
): AsyncGenerator<IDataObject[]> {
	const resolved: { identity: AppIdentity; credentials: ICredentialDataDecryptedObject } =
		await resolveIdentity(this, session);
	const pageSize = options.pageSize ?? PAGE_SIZE[session.api];
	let received = 0;
	let nextLink: string | undefined;
	// A service that has announced further pages with @odata.nextLink ends the list by leaving it out;
	// one that never gives it can only be paged with $skip, until a page comes back short.
	let announcesPages = false;
	for (;;) {
		const top =
			options.wanted === undefined ? pageSize : Math.min(pageSize, options.wanted - received);
		if (top <= 0) return;
		const page: ODataPage = await defenderApiRequest.call(
			this,
			session,
			pageRequest(
				request,
				options.nextLinkOnly ? undefined : top,
				nextLink ? { nextLink } : { skip: received },
			),
			resolved,
		);
		// The service sizes a nextLink-only page: only the part still wanted counts.
		const answered = Array.isArray(page.value) ? page.value : [];
		const records = options.nextLinkOnly
			? answered.slice(0, (options.wanted ?? Infinity) - received)
			: answered;
		received += records.length;
		if (records.length > 0) yield records;
		nextLink = page['@odata.nextLink'];
		if (options.nextLinkOnly && (!nextLink || received >= (options.wanted ?? Infinity))) return;
		announcesPages ||= nextLink !== undefined;
		if (!nextLink && (announcesPages || records.length < top)) return;
		if (records.length === 0) return;
	}
}
