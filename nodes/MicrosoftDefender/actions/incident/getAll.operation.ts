import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { OperationOption } from '../node.type';
import {
	chatMessageOptions,
	returnAllFields,
	simplifyField,
	requestTimeoutOption,
	tenantIdOption,
	SEVERITY_OPTIONS,
	filtersCollection,
	assignedAndCreatedFilters,
	updatedFilters,
	optionsCollection,
	optionsOf,
} from '../../descriptions/common';
import { alertsNeeded, chatSettings, incidentOutput } from '../../helpers/chatOption';
import { sessionFor, wantedCount } from '../../helpers/parameters';
import {
	buildIncidentQuery,
	incidentListRequest,
	incidentPageSize,
	type IncidentQuery,
} from '../../helpers/incidentRequests';
import { INCIDENT_STATUSES, simplifyIncident } from '../../helpers/incidents';
import { listPages } from '../../transport/paging';

export const properties: INodeProperties[] = [
	...returnAllFields,
	simplifyField,
	filtersCollection([
		...assignedAndCreatedFilters('incidents'),
		{
			displayName: 'Severity',
			name: 'severity',
			type: 'multiOptions',
			options: SEVERITY_OPTIONS,
			default: [],
			description:
				'Only incidents of these severities (filtered after download: neither API filters severity reliably)',
		},
		{
			displayName: 'Status',
			name: 'status',
			type: 'multiOptions',
			options: optionsOf(INCIDENT_STATUSES),
			default: ['Active'],
			description:
				'Only incidents in these statuses (one status is filtered by the API, several after download)',
		},
		{
			displayName: 'Tags',
			name: 'tags',
			type: 'string',
			default: '',
			placeholder: 'e.g. ransomware, vip',
			description:
				'Comma-separated; only incidents carrying at least one of these tags (filtered after download)',
		},
		...updatedFilters,
	]),
	optionsCollection([
		{
			displayName: 'Include Alerts',
			name: 'includeAlerts',
			type: 'boolean',
			default: false,
			description:
				"Whether to include each incident's alerts (with their devices and entities); needed for the alert count",
		},
		...chatMessageOptions,
		requestTimeoutOption,
		tenantIdOption,
	]),
];

export const option: OperationOption = {
	name: 'Get Many',
	description: 'List incidents, filtered',
	action: 'Get many incidents',
	toolDescription:
		'Get many incidents, newest first: each with ID, title, severity, status, assignee, classification and times',
};

export async function execute(
	this: IExecuteFunctions,
	index: number,
): Promise<INodeExecutionData[]> {
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
	const chat = await chatSettings(
		this,
		session,
		this.getNodeParameter('options', index, {}) as IDataObject,
	);
	const filteredLocally = query.filteredLocally;
	const fetchAlerts = alertsNeeded(includeAlerts, chat);
	const incidents: IDataObject[] = [];
	const pages = listPages.call(
		this,
		session,
		incidentListRequest(session.api, query.filter, fetchAlerts),
		{
			// With local filters, how many pages are needed is unknown: ask full pages and stop when enough matched.
			wanted: filteredLocally ? undefined : limit,
			pageSize: incidentPageSize(session.api, fetchAlerts),
		},
	);
	for await (const page of pages) {
		for (const incident of page) {
			if (!query.matches(incident)) continue;
			incidents.push(
				incidentOutput(chat, incident, includeAlerts, (record) =>
					simplify ? simplifyIncident(session.api, record) : record,
				),
			);
			if (limit !== undefined && incidents.length >= limit) break;
		}
		if (limit !== undefined && incidents.length >= limit) break;
	}
	return this.helpers.constructExecutionMetaData(this.helpers.returnJsonArray(incidents), {
		itemData: { item: index },
	});
}
