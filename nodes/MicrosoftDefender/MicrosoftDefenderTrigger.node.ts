import type { IDataObject, INodeExecutionData, INodeType, INodeTypeDescription, IPollFunctions } from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { microsoftDefenderApiTest } from './actions/methods';
import { apiSelector, simplifyField, tenantIdOption } from './descriptions/common';
import { latestIncident, pollIncidentFeed, type FeedEvent, type FeedOptions, type FeedState } from './helpers/incidentFeed';
import { INCIDENT_STATUSES, SEVERITIES, simplifyIncident, toNodeValue } from './helpers/incidents';
import type { ApiName } from './transport/cloud';
import { toNodeError, type ApiSession } from './transport/request';

const DEFAULT_OVERLAP_MINUTES = 10;
/** Share of n8n's poll budget spent reading; the rest is for handing the items over. */
const BUDGET_SHARE = 0.6;
const DEFAULT_POLL_BUDGET_MS = 5 * 60_000;
/** Fetch Test Event looks this far back for a sample incident, for at most this long. */
const SAMPLE_LOOKBACK_MS = 7 * 24 * 3_600_000;
const SAMPLE_BUDGET_MS = 20_000;

function shapeIncident(api: ApiName, incident: IDataObject, simplify: boolean, includeAlerts: boolean): IDataObject {
	if (!includeAlerts) delete incident.alerts;
	return simplify ? simplifyIncident(api, incident) : incident;
}

export class MicrosoftDefenderTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Microsoft Defender Trigger',
		name: 'microsoftDefenderTrigger',
		icon: { light: 'file:microsoftDefender.svg', dark: 'file:microsoftDefender.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{$parameter["event"]}}',
		description: 'Starts the workflow when Microsoft Defender XDR incidents are created or updated',
		defaults: { name: 'Microsoft Defender Trigger' },
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'microsoftDefenderApi', required: true, testedBy: 'microsoftDefenderApiTest' }],
		properties: [
			apiSelector,
			{
				displayName: 'Event',
				name: 'event',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'New Incident', value: 'incidentCreated', description: 'Once per incident, when it is created' },
					{ name: 'Updated Incident', value: 'incidentUpdated', description: 'Once per change of an incident (its creation included)' },
				],
				default: 'incidentCreated',
			},
			{
				displayName: 'Filters',
				name: 'filters',
				type: 'collection',
				placeholder: 'Add Filter',
				default: {},
				options: [
					{
						displayName: 'Severity',
						name: 'severity',
						type: 'multiOptions',
						options: SEVERITIES.map((value) => ({ name: value === 'UnSpecified' ? 'Unspecified' : value, value })),
						default: [],
						description: 'Only incidents of these severities',
					},
					{
						displayName: 'Status',
						name: 'status',
						type: 'multiOptions',
						options: INCIDENT_STATUSES.map((value) => ({ name: value === 'InProgress' ? 'In Progress' : value, value })),
						default: [],
						description: 'Only incidents in these statuses',
					},
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
						displayName: 'Back-Fill From',
						name: 'backfillFrom',
						type: 'dateTime',
						default: '',
						description:
							'On first activation, emit incidents from this date on instead of starting from now. Changing it starts the trigger afresh from the new date.',
					},
					{
						displayName: 'Include Alerts',
						name: 'includeAlerts',
						type: 'boolean',
						default: false,
						description: "Whether to include each incident's alerts (devices, entities) in the output, e.g. to enrich with advanced hunting",
					},
					{
						displayName: 'Overlap Window (Minutes)',
						name: 'overlapMinutes',
						type: 'number',
						typeOptions: { minValue: 1, maxValue: 1440 },
						default: DEFAULT_OVERLAP_MINUTES,
						description:
							'Each poll looks back this far before the last change it saw, to catch incidents that Defender indexes late or clocks that differ; what was already emitted is not emitted again',
					},
					tenantIdOption,
				],
			},
			simplifyField,
		],
	};

	methods = { credentialTest: { microsoftDefenderApiTest } };

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		const api = this.getNodeParameter('api') as ApiName;
		const event = this.getNodeParameter('event') as FeedEvent;
		const filters = this.getNodeParameter('filters', {}) as IDataObject;
		const options = this.getNodeParameter('options', {}) as IDataObject;
		const simplify = this.getNodeParameter('simplify', true) as boolean;
		const tenantId = typeof options.tenantId === 'string' && options.tenantId.trim() !== '' ? options.tenantId.trim() : undefined;
		const session: ApiSession = { api, tenantId };
		const overlapMs = Number(options.overlapMinutes ?? DEFAULT_OVERLAP_MINUTES) * 60_000;
		const includeAlerts = options.includeAlerts === true;
		const severities = (filters.severity as string[] | undefined) ?? [];
		const statuses = (filters.status as string[] | undefined) ?? [];
		const backfillFrom = typeof options.backfillFrom === 'string' ? options.backfillFrom : '';
		const backfillTime = backfillFrom === '' ? undefined : Date.parse(backfillFrom);
		if (backfillTime !== undefined && Number.isNaN(backfillTime)) {
			throw new NodeOperationError(this.getNode(), `Back-Fill From "${backfillFrom}" is not a date. Pick a date or use ISO 8601, e.g. 2026-11-01T00:00:00Z.`);
		}

		const manual = this.getMode() === 'manual';
		const matches = (incident: IDataObject) =>
			(severities.length === 0 || severities.includes(toNodeValue(incident.severity, SEVERITIES) ?? '')) &&
			(statuses.length === 0 || statuses.includes(toNodeValue(incident.status, INCIDENT_STATUSES) ?? ''));
		const toItem = (incident: IDataObject) => ({ json: shapeIncident(api, incident, simplify, includeAlerts) });
		const staticData = this.getWorkflowStaticData('node');
		const configuration = JSON.stringify([event, api, tenantId ?? '', backfillFrom]);
		const stored = staticData.feed as FeedState | undefined;
		const fresh = !stored || stored.version !== 1 || stored.configuration !== configuration;
		const budget = typeof this.getPollBudgetMs === 'function' ? this.getPollBudgetMs() : DEFAULT_POLL_BUDGET_MS;
		const feed: FeedOptions = { event, includeAlerts, overlapMs, notBefore: backfillTime, budgetMs: budget * BUDGET_SHARE };

		try {
			if (manual) {
				// Fetch Test Event: the most recent matching incident, and the position is left alone.
				const latest = await latestIncident.call(this, session, { ...feed, from: Date.now() - SAMPLE_LOOKBACK_MS, budgetMs: SAMPLE_BUDGET_MS, matches });
				return latest ? [[toItem(latest)]] : null;
			}
			if (fresh && backfillTime === undefined) {
				// First activation starts from now: what the overlap window already holds counts as seen, so later
				// polls emit none of it yet still catch a change that a lagging clock or late indexing dates earlier.
				staticData.feed = (await pollIncidentFeed.call(this, session, { version: 1, configuration, since: Date.now(), seen: {} }, feed)).state;
				return null;
			}
			const previous: FeedState = fresh ? { version: 1, configuration, since: backfillTime as number, seen: {} } : (stored as FeedState);
			const { changes, state } = await pollIncidentFeed.call(this, session, previous, feed);
			// The watermark moves only together with the items handed to n8n.
			staticData.feed = state;
			const matching = changes.filter(({ incident }) => matches(incident));
			return matching.length > 0 ? [matching.map(({ incident }) => toItem(incident))] : null;
		} catch (error) {
			// The stored position is untouched: the next poll starts from the same watermark.
			throw toNodeError(this, error);
		}
	}
}
