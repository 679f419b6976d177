import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { OperationOption } from '../node.type';
import {
	alertReadOptions,
	returnAllFields,
	alertSimplifyField,
	SEVERITY_OPTIONS,
	filtersCollection,
	assignedAndCreatedFilters,
	updatedFilters,
	optionsOf,
} from '../../descriptions/common';
import { chatSettings, withChatMessage } from '../../helpers/chatOption';
import { wantedCount, alertSessionFor } from '../../helpers/parameters';
import {
	ALERT_STATUSES,
	alertPath,
	alertTimeField,
	simplifyAlert,
	alertPermission,
	evidenceQuery,
} from '../../helpers/alerts';
import { SEVERITIES, toGraphValue, toNodeValue } from '../../helpers/incidents';
import { odataDateTime, odataString } from '../../helpers/odata';
import { quoted } from '../../helpers/validate';
import { listPages } from '../../transport/paging';
import type { ApiSession } from '../../transport/request';

export const properties: INodeProperties[] = [
	...returnAllFields,
	alertSimplifyField,
	filtersCollection([
		...assignedAndCreatedFilters('alerts'),
		{
			displayName: 'Incident ID',
			name: 'incidentId',
			type: 'string',
			default: '',
			placeholder: 'e.g. 1234',
			description: 'Alerts of this incident',
		},
		{
			// Multiple choice like the incident filter; a single value saved before still reads as one.
			displayName: 'Severity',
			name: 'severity',
			type: 'multiOptions',
			options: SEVERITY_OPTIONS,
			default: [],
			description:
				'Only alerts of these severities (one is filtered by the API, several after download)',
		},
		{
			displayName: 'Status',
			name: 'status',
			type: 'options',
			options: optionsOf(ALERT_STATUSES),
			default: 'New',
		},
		...updatedFilters,
	]),
	alertReadOptions,
];

export const option: OperationOption = {
	name: 'Get Many',
	description: 'List alerts, filtered',
	action: 'Get many alerts',
	toolDescription:
		'Get many alerts, newest first: each with ID, title, severity, status, category, incident ID and device',
};

const DATES: Array<
	[key: string, label: string, which: 'createdAt' | 'updatedAt', operator: 'ge' | 'le']
> = [
	['createdAfter', 'Created After', 'createdAt', 'ge'],
	['createdBefore', 'Created Before', 'createdAt', 'le'],
	['updatedAfter', 'Updated After', 'updatedAt', 'ge'],
	['updatedBefore', 'Updated Before', 'updatedAt', 'le'],
];

/** `$filter` for alerts; Graph's alerts_v2 does not document an incident filter, so that one is local there. */
export function alertQuery(
	session: ApiSession,
	filters: IDataObject,
): { filter?: string; incidentId?: string; severities?: string[] } {
	const graph = session.api === 'graph';
	const clauses: string[] = [];
	const text = (key: string) =>
		typeof filters[key] === 'string' ? (filters[key] as string).trim() : '';
	if (text('status'))
		clauses.push(`status eq ${odataString(graph ? toGraphValue(text('status')) : text('status'))}`);
	const severities = severitiesOf(filters.severity);
	if (severities.length === 1)
		clauses.push(`severity eq ${odataString(graph ? toGraphValue(severities[0]) : severities[0])}`);
	if (text('assignedTo')) clauses.push(`assignedTo eq ${odataString(text('assignedTo'))}`);
	if (text('incidentId') && !graph)
		clauses.push(`incidentId eq ${Number.parseInt(text('incidentId'), 10)}`);
	for (const [key, label, which, operator] of DATES) {
		if (text(key))
			clauses.push(
				`${alertTimeField(session.api, which)} ${operator} ${odataDateTime(text(key), label)}`,
			);
	}
	return {
		filter: clauses.length > 0 ? clauses.join(' and ') : undefined,
		incidentId: graph && text('incidentId') ? text('incidentId') : undefined,
		// Several severities are matched locally: `or` in $filter is not documented for alerts.
		severities: severities.length > 1 ? severities : undefined,
	};
}

/** The Severity filter: a list, or the single value saved when it was a dropdown. */
function severitiesOf(value: unknown): string[] {
	const values = Array.isArray(value) ? value : [value];
	return values.filter(
		(entry): entry is string => typeof entry === 'string' && entry.trim() !== '',
	);
}

export async function execute(
	this: IExecuteFunctions,
	index: number,
): Promise<INodeExecutionData[]> {
	const session = alertSessionFor(this, index);
	const filters = this.getNodeParameter('filters', index, {}) as IDataObject;
	if (
		typeof filters.incidentId === 'string' &&
		filters.incidentId.trim() !== '' &&
		!/^\d+$/.test(filters.incidentId.trim())
	) {
		throw new NodeOperationError(
			this.getNode(),
			`Incident ID ${quoted(filters.incidentId)} is not an incident ID (a number).`,
			{ itemIndex: index },
		);
	}
	let query: ReturnType<typeof alertQuery>;
	try {
		query = alertQuery(session, filters);
	} catch (error) {
		throw new NodeOperationError(this.getNode(), (error as Error).message, { itemIndex: index });
	}
	const limit = wantedCount(this, index);
	const simplify = this.getNodeParameter('simplify', index, true) as boolean;
	const chat = await chatSettings(
		this,
		session,
		this.getNodeParameter('options', index, {}) as IDataObject,
	);
	const request = {
		method: 'GET' as const,
		path: alertPath(session.api),
		qs: { $filter: query.filter, ...evidenceQuery(session, chat !== undefined) },
		quota: 'endpoint' as const,
		permission: alertPermission(session, false),
	};
	const alerts: IDataObject[] = [];
	for await (const page of listPages.call(this, session, request, {
		wanted: query.incidentId || query.severities ? undefined : limit,
	})) {
		for (const alert of page) {
			if (query.incidentId && String(alert.incidentId) !== query.incidentId) continue;
			if (
				query.severities &&
				!query.severities.includes(toNodeValue(alert.severity, SEVERITIES) ?? '')
			)
				continue;
			alerts.push(withChatMessage(chat, 'alert', alert, simplify ? simplifyAlert(alert) : alert));
			if (limit !== undefined && alerts.length >= limit) break;
		}
		if (limit !== undefined && alerts.length >= limit) break;
	}
	return this.helpers.constructExecutionMetaData(this.helpers.returnJsonArray(alerts), {
		itemData: { item: index },
	});
}
