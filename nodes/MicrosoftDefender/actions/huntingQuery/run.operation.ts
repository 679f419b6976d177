import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { OperationOption } from '../node.type';
import {
	HUNTING_RETIREMENT_NOTICE,
	huntingTimeoutOption,
	tenantIdOption,
	optionsCollection,
} from '../../descriptions/common';
import { sessionFor } from '../../helpers/parameters';
import { readHuntingResponse } from '../../helpers/hunting';
import {
	buildTemplateQuery,
	ENTITY_FIELDS,
	HUNTING_TEMPLATES,
	MAX_LOOK_BACK_DAYS,
	MAX_LOOK_BACK_HOURS,
	type TemplateEntity,
} from '../../helpers/huntingTemplates';
import { isHuntingTimespan, quoted } from '../../helpers/validate';
import { defenderApiRequest } from '../../transport/request';

/** Longest query this node sends; anything longer is almost certainly a mistake (a pasted result?). */
export const MAX_QUERY_LENGTH = 100_000;
/** The service stops a query after about three minutes; the answer of a large one takes a while more. */
const HUNTING_TIMEOUT_MS = 240_000;

export const properties: INodeProperties[] = [
	{
		displayName: HUNTING_RETIREMENT_NOTICE,
		name: 'retirementNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { api: ['defenderXdr'] } },
	},
	{
		displayName: 'Query Source',
		name: 'querySource',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Custom Query', value: 'custom', description: 'Write the KQL yourself' },
			{
				name: 'Template',
				value: 'template',
				description: 'A ready-made query about one device, user, file, mailbox or URL',
			},
		],
		default: 'custom',
	},
	{
		displayName: 'Template',
		name: 'template',
		type: 'options',
		options: HUNTING_TEMPLATES.map(({ value, name, description }) => ({
			name,
			value,
			description,
		})).sort((a, b) => a.name.localeCompare(b.name)),
		default: 'deviceProcessEvents',
		displayOptions: { show: { querySource: ['template'] } },
	},
	// One Entity field per kind of template, each saying what it takes; all save as entityValue.
	...(Object.keys(ENTITY_FIELDS) as TemplateEntity[]).map((entity): INodeProperties => ({
		displayName: ENTITY_FIELDS[entity].displayName,
		name: 'entityValue',
		type: 'string',
		default: '',
		required: true,
		placeholder: ENTITY_FIELDS[entity].placeholder,
		description: `${ENTITY_FIELDS[entity].description}. Map it from the input, e.g. the value field of Get Entities; it goes into the query as a quoted string.`,
		displayOptions: {
			show: {
				querySource: ['template'],
				template: HUNTING_TEMPLATES.filter((template) => template.entity === entity).map(
					(template) => template.value,
				),
			},
		},
	})),
	// Node version 1 counted days; 1.1 counts hours, like the file, IP and domain statistics.
	{
		displayName: 'Look Back (Days)',
		name: 'lookBackDays',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: MAX_LOOK_BACK_DAYS },
		default: 7,
		description: 'How many days of data the template searches (advanced hunting keeps 30)',
		displayOptions: { show: { querySource: ['template'], '@version': [1] } },
	},
	{
		displayName: 'Look Back (Hours)',
		name: 'lookBackHours',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: MAX_LOOK_BACK_HOURS },
		default: 168,
		description:
			'How many hours of data the template searches: 24 is a day, 168 a week, at most 720 (30 days, what advanced hunting keeps)',
		displayOptions: { show: { querySource: ['template'], '@version': [1.1] } },
	},
	{
		displayName: 'Query (KQL)',
		name: 'query',
		type: 'string',
		typeOptions: { rows: 8 },
		default: '',
		required: true,
		placeholder:
			'DeviceProcessEvents\n| where Timestamp > ago(1d)\n| where FileName == "powershell.exe"\n| project Timestamp, DeviceName, ProcessCommandLine\n| take 100',
		description:
			'Advanced hunting query in Kusto Query Language. Data covers the last 30 days; at most 100,000 rows are returned.',
		displayOptions: { show: { querySource: ['custom'] } },
	},
	{
		displayName: 'Timespan',
		name: 'timespan',
		type: 'string',
		default: '',
		placeholder: 'e.g. P7D',
		description:
			'Time range to search (Graph only): a duration (P1D, PT12H), a start date (2026-02-01T08:00:00Z), start/end, P30D/end or start/P30D. Empty = the service default (last 30 days, or what the query filters).',
		displayOptions: { show: { api: ['graph'], querySource: ['custom'] } },
	},
	{
		displayName: 'Output',
		name: 'output',
		type: 'options',
		options: [
			{ name: 'One Item per Row', value: 'rows', description: 'Each result row becomes an item' },
			{
				name: 'One Item with All Rows',
				value: 'single',
				description:
					'A single item: rows, row count, the query that ran, and optionally schema and statistics',
			},
		],
		default: 'rows',
	},
	optionsCollection([
		{
			displayName: 'Include Schema',
			name: 'includeSchema',
			type: 'boolean',
			default: false,
			description: 'Whether to add the column names and types to the item',
			displayOptions: { show: { '/output': ['single'] } },
		},
		{
			displayName: 'Include Statistics',
			name: 'includeStatistics',
			type: 'boolean',
			default: false,
			description: 'Whether to add the query statistics the service returns, e.g. resource usage',
			displayOptions: { show: { '/output': ['single'], '/api': ['defenderXdr'] } },
		},
		huntingTimeoutOption,
		tenantIdOption,
	]),
];

export const option: OperationOption = {
	name: 'Run Query',
	description: 'Run a KQL advanced hunting query',
	action: 'Run an advanced hunting query',
	toolDescription: 'Run an advanced hunting query (KQL, read-only) and return its rows',
};

export async function execute(
	this: IExecuteFunctions,
	index: number,
): Promise<INodeExecutionData[]> {
	const session = sessionFor(this, index);
	const graph = session.api === 'graph';
	const fail = (message: string) =>
		new NodeOperationError(this.getNode(), message, { itemIndex: index });
	const template = this.getNodeParameter('querySource', index, 'custom') === 'template';
	let query: string;
	let timespan = '';
	if (template) {
		const lookBackHours = lookBackHoursOf(this, index);
		try {
			query = buildTemplateQuery(
				String(this.getNodeParameter('template', index, '')),
				String(this.getNodeParameter('entityValue', index, '')),
				lookBackHours,
			);
		} catch (error) {
			throw fail((error as Error).message);
		}
		// Graph searches only the look-back; the query's own time filter does the same on the Defender XDR API.
		if (graph)
			timespan = lookBackHours % 24 === 0 ? `P${lookBackHours / 24}D` : `PT${lookBackHours}H`;
	} else {
		query = String(this.getNodeParameter('query', index, '')).trim();
		timespan = graph ? String(this.getNodeParameter('timespan', index, '')).trim() : '';
	}
	if (query === '') throw fail('Query is empty. Enter a KQL query, e.g. DeviceInfo | take 10.');
	if (query.length > MAX_QUERY_LENGTH) {
		throw fail(
			`Query is ${query.length.toLocaleString('en-US')} characters long; this node sends at most ${MAX_QUERY_LENGTH.toLocaleString('en-US')}. Shorten it (e.g. move long lists into a lookup or split the query).`,
		);
	}
	const body: IDataObject = { Query: query };
	if (timespan !== '') {
		if (!isHuntingTimespan(timespan))
			throw fail(
				`Timespan ${quoted(timespan)} is not a timespan Microsoft Graph takes. Use a duration (P7D, PT12H), a start date (2026-02-01T08:00:00Z), start/end, P30D/end or start/P30D, or leave it empty.`,
			);
		body.Timespan = timespan;
	}
	const response = await defenderApiRequest.call(this, session, {
		method: 'POST',
		path: graph ? '/v1.0/security/runHuntingQuery' : '/api/advancedhunting/run',
		body,
		quota: 'hunting',
		permission: graph ? 'ThreatHunting.Read.All' : 'AdvancedHunting.Read.All',
		idempotent: true,
		exactIntegers: true,
		timeoutMs: HUNTING_TIMEOUT_MS,
		loadHint:
			'Narrow the time range (a where Timestamp > ago(…) early in the query), project fewer columns or take fewer rows; the hunting quota is 45 calls per minute plus CPU time per 15 minutes.',
	});
	const result = readHuntingResponse(response);
	if (this.getNodeParameter('output', index, 'rows') === 'rows') {
		return this.helpers.constructExecutionMetaData(this.helpers.returnJsonArray(result.rows), {
			itemData: { item: index },
		});
	}
	const single: IDataObject = {
		rows: result.rows,
		rowCount: result.rows.length,
		query,
		...(timespan ? { timespan } : {}),
	};
	if (this.getNodeParameter('options.includeSchema', index, false))
		single.schema = result.schema as unknown as IDataObject[];
	if (this.getNodeParameter('options.includeStatistics', index, false))
		single.statistics = result.stats ?? null;
	return this.helpers.constructExecutionMetaData(this.helpers.returnJsonArray(single), {
		itemData: { item: index },
	});
}

/** The template's look-back in hours: Look Back (Hours) since node version 1.1, days × 24 before. */
function lookBackHoursOf(context: IExecuteFunctions, index: number): number {
	if (context.getNode().typeVersion < 1.1) {
		const days = Number(context.getNodeParameter('lookBackDays', index, 7));
		if (!Number.isInteger(days) || days < 1 || days > MAX_LOOK_BACK_DAYS)
			throw new NodeOperationError(
				context.getNode(),
				`Look Back (Days) of ${days} is not possible: advanced hunting keeps 1 to ${MAX_LOOK_BACK_DAYS} days of data.`,
				{ itemIndex: index },
			);
		return days * 24;
	}
	return Number(context.getNodeParameter('lookBackHours', index, 168));
}
