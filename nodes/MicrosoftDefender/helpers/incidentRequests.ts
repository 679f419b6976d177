import type { IDataObject } from 'n8n-workflow';

import {
	INCIDENT_STATUSES,
	SEVERITIES,
	incidentTags,
	toGraphValue,
	toNodeValue,
} from './incidents';
import { odataDateTime, odataString } from './odata';
import type { ApiName } from '../transport/cloud';
import { PAGE_SIZE } from '../transport/paging';
import {
	defenderApiRequest,
	type ApiRequest,
	type ApiSession,
	type DefenderContext,
} from '../transport/request';

function incidentPath(api: ApiName, id: string): string {
	return api === 'graph' ? `/v1.0/security/incidents/${id}` : `/api/incidents/${id}`;
}

function notFound(session: ApiSession, id: string): string {
	return `Incident ${id} not found${session.tenantId ? ` in tenant ${session.tenantId}` : ''}. Check the ID (the number in the portal URL) and the tenant.`;
}

export async function getIncident(
	this: DefenderContext,
	session: ApiSession,
	id: string,
	includeAlerts: boolean,
): Promise<IDataObject> {
	const graph = session.api === 'graph';
	return await defenderApiRequest.call(this, session, {
		method: 'GET',
		path: incidentPath(session.api, id),
		qs: graph && includeAlerts ? { $expand: 'alerts' } : undefined,
		quota: 'incidentRead',
		permission: graph ? 'SecurityIncident.Read.All' : 'Incident.Read.All',
		notFoundMessage: notFound(session, id),
	});
}

/** PATCH with the API's own field names; answers the updated incident. */
export async function patchIncident(
	this: DefenderContext,
	session: ApiSession,
	id: string,
	body: IDataObject,
): Promise<IDataObject> {
	const graph = session.api === 'graph';
	return await defenderApiRequest.call(this, session, {
		method: 'PATCH',
		path: incidentPath(session.api, id),
		body,
		quota: 'incidentWrite',
		permission: graph ? 'SecurityIncident.ReadWrite.All' : 'Incident.ReadWrite.All',
		notFoundMessage: notFound(session, id),
	});
}

/** Appends a comment; the Defender XDR API takes it in a PATCH, Graph in its comments collection. */
export async function commentOnIncident(
	this: DefenderContext,
	session: ApiSession,
	id: string,
	comment: string,
): Promise<IDataObject[]> {
	if (session.api !== 'graph') {
		const incident = await patchIncident.call(this, session, id, { comment });
		return Array.isArray(incident.comments) ? (incident.comments as IDataObject[]) : [];
	}
	const response = await defenderApiRequest.call(this, session, {
		method: 'POST',
		path: `${incidentPath(session.api, id)}/comments`,
		body: { '@odata.type': 'microsoft.graph.security.alertComment', comment },
		quota: 'incidentWrite',
		permission: 'SecurityIncident.ReadWrite.All',
		notFoundMessage: notFound(session, id),
	});
	return Array.isArray(response.value) ? (response.value as IDataObject[]) : [];
}

/** Graph's `$expand=alerts` can fail with 5xx on big pages; smaller pages keep it reliable. */
const GRAPH_PAGE_WITH_ALERTS = 20;

/** The page size for listing incidents, with or without their alerts. */
export function incidentPageSize(api: ApiName, includeAlerts: boolean): number {
	return api === 'graph' && includeAlerts ? GRAPH_PAGE_WITH_ALERTS : PAGE_SIZE[api];
}

export interface IncidentQuery {
	filter?: string;
	matches: (incident: IDataObject) => boolean;
	/** Whether `matches` drops records, so that how many pages are needed is unknown. */
	filteredLocally: boolean;
}

/** The Status filter: one status, as saved before it took several, or a list. */
function statusesOf(value: unknown): string[] {
	if (typeof value === 'string') return value === '' ? [] : [value];
	return Array.isArray(value)
		? value.filter((status): status is string => typeof status === 'string' && status !== '')
		: [];
}

const DATE_FILTERS: Array<{
	key: string;
	label: string;
	field: 'created' | 'updated';
	operator: 'ge' | 'le';
}> = [
	{ key: 'createdAfter', label: 'Created After', field: 'created', operator: 'ge' },
	{ key: 'createdBefore', label: 'Created Before', field: 'created', operator: 'le' },
	{ key: 'updatedAfter', label: 'Updated After', field: 'updated', operator: 'ge' },
	{ key: 'updatedBefore', label: 'Updated Before', field: 'updated', operator: 'le' },
];

/** Filters the API understands go into `$filter`; severity and tags are checked on each record. */
export function buildIncidentQuery(api: ApiName, filters: IDataObject): IncidentQuery {
	const graph = api === 'graph';
	const clauses: string[] = [];
	// One status goes into $filter; several are matched locally, as `or` in $filter is not documented for incidents.
	const statuses = statusesOf(filters.status);
	if (statuses.length === 1) {
		clauses.push(`status eq ${odataString(graph ? toGraphValue(statuses[0]) : statuses[0])}`);
	}
	if (typeof filters.assignedTo === 'string' && filters.assignedTo.trim() !== '') {
		clauses.push(`assignedTo eq ${odataString(filters.assignedTo.trim())}`);
	}
	for (const { key, label, field, operator } of DATE_FILTERS) {
		const value = filters[key];
		if (value === undefined || value === '' || value === null) continue;
		const property =
			field === 'created'
				? graph
					? 'createdDateTime'
					: 'createdTime'
				: graph
					? 'lastUpdateDateTime'
					: 'lastUpdateTime';
		clauses.push(`${property} ${operator} ${odataDateTime(value, label)}`);
	}
	const severities = Array.isArray(filters.severity) ? (filters.severity as string[]) : [];
	const tags =
		typeof filters.tags === 'string'
			? filters.tags
					.split(',')
					.map((tag) => tag.trim())
					.filter(Boolean)
			: [];
	const wantedTags = new Set(tags.map((tag) => tag.toLowerCase()));
	return {
		filter: clauses.length > 0 ? clauses.join(' and ') : undefined,
		filteredLocally: severities.length > 0 || wantedTags.size > 0 || statuses.length > 1,
		matches: (incident) =>
			(statuses.length <= 1 ||
				statuses.includes(toNodeValue(incident.status, INCIDENT_STATUSES) ?? '')) &&
			(severities.length === 0 ||
				severities.includes(toNodeValue(incident.severity, SEVERITIES) ?? '')) &&
			(wantedTags.size === 0 ||
				incidentTags(api, incident).some((tag) => wantedTags.has(tag.toLowerCase()))),
	};
}

export function incidentListRequest(
	api: ApiName,
	filter: string | undefined,
	includeAlerts: boolean,
): ApiRequest {
	if (api === 'graph') {
		return {
			method: 'GET',
			path: '/v1.0/security/incidents',
			qs: { $filter: filter, $expand: includeAlerts ? 'alerts' : undefined },
			quota: 'incidentList',
			permission: 'SecurityIncident.Read.All',
		};
	}
	return {
		method: 'GET',
		path: '/api/incidents',
		qs: { $filter: filter },
		quota: 'incidentList',
		permission: 'Incident.Read.All',
	};
}
