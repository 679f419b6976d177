import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { returnAllFields, sessionFor, simplifyField, requestTimeoutOption, tenantIdOption, wantedCount } from '../../descriptions/common';
import { INCIDENT_STATUSES, SEVERITIES, incidentTags, odataDateTime, odataString, simplifyIncident, toGraphValue, toNodeValue } from '../../helpers/incidents';
import type { ApiName } from '../../transport/cloud';
import { listPages } from '../../transport/paging';
import type { ApiRequest } from '../../transport/request';

const properties: INodeProperties[] = [
	...returnAllFields,
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		options: [
			{
				displayName: 'Assigned To',
				name: 'assignedTo',
				type: 'string',
				default: '',
				placeholder: 'analyst@contoso.com',
				description: 'Only incidents assigned to this user (exact match)',
			},
			{ displayName: 'Created After', name: 'createdAfter', type: 'dateTime', default: '' },
			{ displayName: 'Created Before', name: 'createdBefore', type: 'dateTime', default: '' },
			{
				displayName: 'Severity',
				name: 'severity',
				type: 'multiOptions',
				options: SEVERITIES.map((value) => ({ name: value === 'UnSpecified' ? 'Unspecified' : value, value })),
				default: [],
				description: 'Only incidents of these severities (filtered after download: neither API filters severity reliably)',
			},
			{
				displayName: 'Status',
				name: 'status',
				type: 'options',
				options: INCIDENT_STATUSES.map((value) => ({ name: value === 'InProgress' ? 'In Progress' : value, value })),
				default: 'Active',
			},
			{
				displayName: 'Tags',
				name: 'tags',
				type: 'string',
				default: '',
				placeholder: 'ransomware, vip',
				description: 'Comma-separated; only incidents carrying at least one of these tags (filtered after download)',
			},
			{ displayName: 'Updated After', name: 'updatedAfter', type: 'dateTime', default: '' },
			{ displayName: 'Updated Before', name: 'updatedBefore', type: 'dateTime', default: '' },
		],
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Include Alerts',
				name: 'includeAlerts',
				type: 'boolean',
				default: false,
				description: "Whether to include each incident's alerts (with their devices and entities); needed for the alert count",
			},
			requestTimeoutOption,
			tenantIdOption,
		],
	},
	simplifyField,
];

export const description = updateDisplayOptions({ show: { resource: ['incident'], operation: ['getAll'] } }, properties);

interface IncidentQuery {
	filter?: string;
	matches: (incident: IDataObject) => boolean;
}

const DATE_FILTERS: Array<{ key: string; label: string; field: 'created' | 'updated'; operator: 'ge' | 'le' }> = [
	{ key: 'createdAfter', label: 'Created After', field: 'created', operator: 'ge' },
	{ key: 'createdBefore', label: 'Created Before', field: 'created', operator: 'le' },
	{ key: 'updatedAfter', label: 'Updated After', field: 'updated', operator: 'ge' },
	{ key: 'updatedBefore', label: 'Updated Before', field: 'updated', operator: 'le' },
];

/** Filters the API understands go into `$filter`; severity and tags are checked on each record. */
export function buildIncidentQuery(api: ApiName, filters: IDataObject): IncidentQuery {
	const graph = api === 'graph';
	const clauses: string[] = [];
	if (typeof filters.status === 'string' && filters.status !== '') {
		clauses.push(`status eq ${odataString(graph ? toGraphValue(filters.status) : filters.status)}`);
	}
	if (typeof filters.assignedTo === 'string' && filters.assignedTo.trim() !== '') {
		clauses.push(`assignedTo eq ${odataString(filters.assignedTo.trim())}`);
	}
	for (const { key, label, field, operator } of DATE_FILTERS) {
		const value = filters[key];
		if (value === undefined || value === '' || value === null) continue;
		const property = field === 'created' ? (graph ? 'createdDateTime' : 'createdTime') : graph ? 'lastUpdateDateTime' : 'lastUpdateTime';
		clauses.push(`${property} ${operator} ${odataDateTime(value, label)}`);
	}
	const severities = Array.isArray(filters.severity) ? (filters.severity as string[]) : [];
	const tags = typeof filters.tags === 'string' ? filters.tags.split(',').map((tag) => tag.trim()).filter(Boolean) : [];
	const wantedTags = new Set(tags.map((tag) => tag.toLowerCase()));
	return {
		filter: clauses.length > 0 ? clauses.join(' and ') : undefined,
		matches: (incident) =>
			(severities.length === 0 || severities.includes(toNodeValue(incident.severity, SEVERITIES) ?? '')) &&
			(wantedTags.size === 0 || incidentTags(api, incident).some((tag) => wantedTags.has(tag.toLowerCase()))),
	};
}

export function incidentListRequest(api: ApiName, filter: string | undefined, includeAlerts: boolean): ApiRequest {
	if (api === 'graph') {
		return {
			method: 'GET',
			path: '/v1.0/security/incidents',
			qs: { $filter: filter, $expand: includeAlerts ? 'alerts' : undefined },
			quota: 'incidentList',
			permission: 'SecurityIncident.Read.All',
		};
	}
	return { method: 'GET', path: '/api/incidents', qs: { $filter: filter }, quota: 'incidentList', permission: 'Incident.Read.All' };
}

/** Graph's `$expand=alerts` can fail with 5xx on big pages; smaller pages keep it reliable. */
const GRAPH_PAGE_WITH_ALERTS = 20;

export async function execute(this: IExecuteFunctions, index: number): Promise<INodeExecutionData[]> {
	const session = sessionFor(this, index);
	const limit = wantedCount(this, index);
	const filters = this.getNodeParameter('filters', index, {}) as IDataObject;
	const includeAlerts = this.getNodeParameter('options.includeAlerts', index, false) as boolean;
	const simplify = this.getNodeParameter('simplify', index, true) as boolean;

	let query: IncidentQuery;
	try {
		query = buildIncidentQuery(session.api, filters);
	} catch (error) {
		throw new NodeOperationError(this.getNode(), (error as Error).message, { itemIndex: index });
	}
	const filteredLocally = (Array.isArray(filters.severity) && filters.severity.length > 0) || (typeof filters.tags === 'string' && filters.tags.trim() !== '');
	const incidents: IDataObject[] = [];
	const pages = listPages.call(this, session, incidentListRequest(session.api, query.filter, includeAlerts), {
		// With local filters, how many pages are needed is unknown: ask full pages and stop when enough matched.
		wanted: filteredLocally ? undefined : limit,
		pageSize: session.api === 'graph' && includeAlerts ? GRAPH_PAGE_WITH_ALERTS : undefined,
	});
	for await (const page of pages) {
		for (const incident of page) {
			if (!query.matches(incident)) continue;
			if (!includeAlerts) delete incident.alerts;
			incidents.push(simplify ? simplifyIncident(session.api, incident) : incident);
			if (limit !== undefined && incidents.length >= limit) break;
		}
		if (limit !== undefined && incidents.length >= limit) break;
	}
	return this.helpers.constructExecutionMetaData(this.helpers.returnJsonArray(incidents), { itemData: { item: index } });
}
