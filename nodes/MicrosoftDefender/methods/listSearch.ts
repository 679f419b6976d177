import type {
	IDataObject,
	ILoadOptionsFunctions,
	INodeListSearchItems,
	INodeListSearchResult,
} from 'n8n-workflow';

import { alertApi, alertPath, simplifyAlert } from '../helpers/alerts';
import {
	IDENTITY_ACCOUNTS_PATH,
	PERMISSIONS as IDENTITY_PERMISSIONS,
	PROVIDER_NAMES,
	providerAccountsOf,
	type IdentityProvider,
} from '../helpers/identityResponse';
import { incidentListRequest } from '../helpers/incidentRequests';
import { simplifyIncident } from '../helpers/incidents';
import { odataString } from '../helpers/odata';
import { tenantIdOf } from '../helpers/parameters';
import { counted } from '../helpers/validate';
import type { ApiName } from '../transport/cloud';
import { listPage, type PageCursor } from '../transport/paging';
import type { ApiRequest, ApiSession } from '../transport/request';

/** Results n8n shows at once; scrolling asks for the next page with the pagination token. */
const SEARCH_PAGE = 50;
/** A search the API cannot filter reads at most this many pages per call before handing back a token. */
const PAGES_PER_SEARCH = 4;

function searchSession(context: ILoadOptionsFunctions, api: ApiName): ApiSession {
	const options = (context.getCurrentNodeParameter('options') ?? {}) as IDataObject;
	return { api, tenantId: tenantIdOf(options.tenantId) };
}

/**
 * Reads pages from the token's position until a page's worth of records matched the search text, or
 * the list ended; the token of what comes next goes back to n8n for "load more".
 */
async function search(
	context: ILoadOptionsFunctions,
	session: ApiSession,
	request: ApiRequest,
	paginationToken: string | undefined,
	toItem: (record: IDataObject) => INodeListSearchItems,
	needle = '',
	/** Null for a list that documents no `$top`/`$skip` (paged by `@odata.nextLink` only). */
	pageSize: number | null = SEARCH_PAGE,
): Promise<INodeListSearchResult> {
	let cursor = paginationToken ? (JSON.parse(paginationToken) as PageCursor) : undefined;
	const results: INodeListSearchItems[] = [];
	for (let pages = 0; pages < PAGES_PER_SEARCH && results.length < SEARCH_PAGE; pages++) {
		const page = await listPage.call(context, session, request, pageSize ?? undefined, cursor);
		for (const item of page.records.map(toItem)) {
			if (needle === '' || item.name.toLowerCase().includes(needle)) results.push(item);
		}
		cursor = page.next;
		if (!cursor) break;
	}
	return { results, paginationToken: cursor ? JSON.stringify(cursor) : undefined };
}

function searchText(filter: string | undefined): string {
	return (filter ?? '').trim().toLowerCase();
}

/** "From list" of the Incident field: recent incidents, newest first, filtered by title or ID. */
export async function searchIncidents(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const api = this.getCurrentNodeParameter('api') as ApiName;
	return await search(
		this,
		searchSession(this, api),
		incidentListRequest(api, undefined, false),
		paginationToken,
		(incident) => {
			const { id, title, severity, portalUrl } = simplifyIncident(api, incident);
			return {
				name: `#${id} ${title ?? ''} (${severity ?? 'unknown severity'})`,
				value: String(id),
				url: typeof portalUrl === 'string' ? portalUrl : undefined,
			};
		},
		searchText(filter),
	);
}

/** "From list" of the Device field: devices whose DNS name starts with the search text. */
export async function searchMachines(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const needle = searchText(filter);
	const request: ApiRequest = {
		method: 'GET',
		path: '/api/machines',
		qs: { $filter: needle ? `startswith(computerDnsName,${odataString(needle)})` : undefined },
		quota: 'endpoint',
		permission: 'Machine.Read.All',
	};
	return await search(
		this,
		searchSession(this, 'endpoint'),
		request,
		paginationToken,
		(machine) => ({
			name: `${String(machine.computerDnsName ?? machine.id)} (${String(machine.osPlatform ?? 'unknown OS')}, ${String(machine.healthStatus ?? 'unknown health')})`,
			value: String(machine.id),
		}),
	);
}

/** "From list" of the Alert field: recent alerts, filtered by title, device or ID. */
export async function searchAlerts(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const session = searchSession(this, alertApi(this.getCurrentNodeParameter('api') as ApiName));
	const request: ApiRequest = {
		method: 'GET',
		path: alertPath(session.api),
		quota: 'endpoint',
		permission: session.api === 'graph' ? 'SecurityAlert.Read.All' : 'Alert.Read.All',
	};
	return await search(
		this,
		session,
		request,
		paginationToken,
		(record) => {
			const alert = simplifyAlert(record);
			const where = alert.deviceName ? ` on ${String(alert.deviceName)}` : '';
			return {
				name: `${String(alert.title ?? alert.id)}${where} (${String(alert.severity ?? 'unknown severity')}, ${String(alert.id)})`,
				value: String(alert.id),
				url: typeof alert.portalUrl === 'string' ? alert.portalUrl : undefined,
			};
		},
		searchText(filter),
	);
}

/** "From list" of the Machine Action field: recent response actions, filtered by type, device or status. */
export async function searchMachineActions(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	return await searchEndpointList(
		this,
		filter,
		paginationToken,
		{ path: '/api/machineactions', permission: 'Machine.Read.All', paged: true },
		(action) => ({
			name: `${String(action.type ?? 'Action')} on ${String(action.computerDnsName ?? action.machineId ?? 'unknown device')} (${String(action.status ?? 'unknown status')}, ${String(action.creationDateTimeUtc ?? '')})`,
			value: String(action.id),
		}),
	);
}

/** "From list" of the Indicator field: custom indicators, filtered by value, title or type. */
export async function searchIndicators(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	return await searchEndpointList(
		this,
		filter,
		paginationToken,
		{ path: '/api/indicators', permission: 'Ti.ReadWrite.All', paged: true },
		(indicator) => ({
			name: `${String(indicator.indicatorValue ?? indicator.id)} (${String(indicator.indicatorType ?? 'unknown type')}, ${String(indicator.action ?? 'no action')}${indicator.title ? `: ${String(indicator.title)}` : ''})`,
			value: String(indicator.id),
		}),
	);
}

/** A read-only Defender for Endpoint list, searched by the text each record is shown with. */
async function searchEndpointList(
	context: ILoadOptionsFunctions,
	filter: string | undefined,
	paginationToken: string | undefined,
	list: { path: string; permission: string; paged: boolean },
	toItem: (record: IDataObject) => INodeListSearchItems,
): Promise<INodeListSearchResult> {
	return await search(
		context,
		searchSession(context, 'endpoint'),
		{ method: 'GET', path: list.path, quota: 'endpoint', permission: list.permission },
		paginationToken,
		toItem,
		searchText(filter),
		list.paged ? SEARCH_PAGE : null,
	);
}

/** "From list" of the Vulnerability field: CVEs of the organisation, filtered by ID or name. */
export async function searchVulnerabilities(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	return await searchEndpointList(
		this,
		filter,
		paginationToken,
		{ path: '/api/vulnerabilities', permission: 'Vulnerability.Read.All', paged: true },
		(cve) => ({
			name: `${String(cve.id)} (${String(cve.severity ?? 'unknown severity')}, CVSS ${String(cve.cvssV3 ?? '?')}, ${counted(cve.exposedMachines, 'exposed device')})`,
			value: String(cve.id),
		}),
	);
}

/** "From list" of the Software field: the inventory, filtered by vendor or product. */
export async function searchSoftware(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	return await searchEndpointList(
		this,
		filter,
		paginationToken,
		{ path: '/api/Software', permission: 'Software.Read.All', paged: true },
		(software) => ({
			name: `${String(software.vendor ?? '?')} ${String(software.name ?? software.id)} (${counted(software.weaknesses, 'weakness', 'weaknesses')}, ${counted(software.exposedMachines, 'exposed device')})`,
			value: String(software.id),
		}),
	);
}

/** "From list" of the Recommendation field: security recommendations, filtered by their text. */
export async function searchRecommendations(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	return await searchEndpointList(
		this,
		filter,
		paginationToken,
		{ path: '/api/recommendations', permission: 'SecurityRecommendation.Read.All', paged: true },
		(recommendation) => ({
			name: `${String(recommendation.recommendationName ?? recommendation.id)} (${String(recommendation.status ?? 'unknown status')}, ${counted(recommendation.exposedMachinesCount, 'exposed device')})`,
			value: String(recommendation.id),
		}),
	);
}

/** "From list" of the Investigation field: automated investigations, filtered by device, state or ID. */
export async function searchInvestigations(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	return await searchEndpointList(
		this,
		filter,
		paginationToken,
		{ path: '/api/investigations', permission: 'Alert.Read.All', paged: true },
		(investigation) => ({
			name: `#${String(investigation.id)} ${String(investigation.state ?? 'unknown state')} on ${String(investigation.computerDnsName ?? investigation.machineId ?? 'unknown device')} (${String(investigation.startTime ?? '')})`,
			value: String(investigation.id),
		}),
	);
}

/** "From list" of the library File Name field: the live response library, filtered by name or description. */
export async function searchLibraryFiles(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	return await searchEndpointList(
		this,
		filter,
		paginationToken,
		// The library documents no paging: one answer holds every file.
		{ path: '/api/libraryfiles', permission: 'Library.Manage', paged: false },
		(file) => ({
			name: `${String(file.fileName)}${file.description ? ` (${String(file.description)})` : ''}`,
			value: String(file.fileName),
		}),
	);
}

/** "From list" of the user Account field: Defender for Identity's identity accounts, filtered by name or domain. */
export async function searchIdentityAccounts(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	return await search(
		this,
		searchSession(this, 'graph'),
		{
			method: 'GET',
			path: IDENTITY_ACCOUNTS_PATH,
			quota: 'endpoint',
			permission: IDENTITY_PERMISSIONS.readAccounts,
		},
		paginationToken,
		(identity) => {
			const providers = providerAccountsOf(identity).map(
				(account) => PROVIDER_NAMES[account.provider as IdentityProvider] ?? account.provider,
			);
			return {
				name: `${String(identity.domain ?? '?')}\\${String(identity.displayName ?? identity.id)} (${providers.join(', ') || 'no accounts'}${identity.isEnabled === false ? ', disabled' : ''})`,
				value: String(identity.id),
			};
		},
		searchText(filter),
		null,
	);
}
