import type {
	IDataObject,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IPollFunctions,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { credentialTest } from './methods';
import {
	apiSelector,
	chatMessageOptions,
	simplifyField,
	tenantIdOption,
	SEVERITY_OPTIONS,
	filtersCollection,
	optionsCollection,
	optionsOf,
} from './descriptions/common';
import { tenantIdOf } from './helpers/parameters';
import {
	chatSettings,
	incidentOutput,
	withChatMessage,
	type ChatSettings,
} from './helpers/chatOption';
import {
	ALERT_FEED_EVENTS,
	COMMENT_FEED_EVENTS,
	commentsOf,
	feedSource,
	latestRecord,
	pollFeed,
	type FeedChange,
	type FeedEvent,
	type FeedOptions,
	type FeedSource,
	type FeedState,
	type RecordComment,
} from './trigger/feed';
import {
	keepNewest,
	onlyOwnChange,
	ownAuthorMatcher,
	sightingOf,
	type Sighting,
} from './trigger/loopGuard';
import { ALERT_STATUSES, simplifyAlert } from './helpers/alerts';
import {
	INCIDENT_STATUSES,
	SEVERITIES,
	isoOrNull,
	simplifyIncident,
	toNodeValue,
} from './helpers/incidents';
import { isoDateTime, MAX_OVERLAP_MINUTES, overlapWindowMs } from './helpers/validate';
import type { ApiName } from './transport/cloud';
import { resolveIdentity, toNodeError, type ApiSession } from './transport/request';

const DEFAULT_OVERLAP_MINUTES = 10;
/** Share of n8n's poll budget spent reading; the rest is for handing the items over. */
const BUDGET_SHARE = 0.6;
const DEFAULT_POLL_BUDGET_MS = 5 * 60_000;
/** Fetch Test Event looks this far back for a sample record, for at most this long. */
const SAMPLE_LOOKBACK_MS = 7 * 24 * 3_600_000;
const SAMPLE_BUDGET_MS = 20_000;
/** Statuses of incidents and of alerts, to read either kind of record. */
const STATUSES = [...new Set<string>([...INCIDENT_STATUSES, ...ALERT_STATUSES])].sort();
const INCIDENT_EVENTS = ['incidentCreated', 'incidentUpdated', 'commentCreated'];
const ALERT_EVENTS = ['alertCreated', 'alertUpdated', 'alertCommentCreated'];
/** Events whose items this app's own writes can cause: the loop guard applies to them. */
const GUARDED_EVENTS = ['incidentUpdated', 'alertUpdated', 'commentCreated', 'alertCommentCreated'];

/** One item per comment: the record it belongs to (ID, title, link) and the comment itself. */
function commentItem(
	api: ApiName,
	event: FeedEvent,
	record: IDataObject,
	comment: RecordComment,
	simplify: boolean,
): IDataObject {
	const alert = ALERT_FEED_EVENTS.includes(event);
	const compact = alert ? simplifyAlert(record) : simplifyIncident(api, record);
	const item: IDataObject = {
		...(alert
			? { alertId: compact.id, incidentId: compact.incidentId }
			: { incidentId: compact.id }),
		title: compact.title,
		severity: compact.severity,
		status: compact.status,
		portalUrl: compact.portalUrl,
		...(alert ? {} : { tags: compact.tags }),
		author: comment.author,
		createdAt: isoOrNull(comment.createdAt),
		comment: comment.text,
	};
	if (!simplify) item[alert ? 'alert' : 'incident'] = record;
	return item;
}

function shapeRecord(
	api: ApiName,
	event: FeedEvent,
	record: IDataObject,
	simplify: boolean,
	includeAlerts: boolean,
	chat: ChatSettings | undefined,
): IDataObject {
	if (ALERT_FEED_EVENTS.includes(event))
		return withChatMessage(chat, 'alert', record, simplify ? simplifyAlert(record) : record);
	return incidentOutput(chat, record, includeAlerts, (incident) =>
		simplify ? simplifyIncident(api, incident) : incident,
	);
}

/**
 * The loop guard's memory: how each record looked when last read, to tell later whether only this app's
 * comments were added since. Every change read counts, emitted or not.
 */
function withSightings(state: FeedState, changes: FeedChange[], source: FeedSource): FeedState {
	if (source.perComment) return state;
	const sightings: Record<string, Sighting> = { ...(state.sightings ?? {}) };
	for (const { record, time } of changes) {
		const id = source.idOf(record);
		const known = sightings[id];
		if (!known || known.time <= time) sightings[id] = sightingOf(record, source.property, time);
	}
	return { ...state, sightings: keepNewest(sightings) };
}

export class MicrosoftDefenderTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Microsoft Defender Trigger',
		name: 'microsoftDefenderTrigger',
		icon: { light: 'file:microsoftDefender.svg', dark: 'file:microsoftDefender.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{$parameter["event"]}}',
		description:
			'Starts the workflow when Microsoft Defender XDR incidents or alerts are created, updated or commented on',
		defaults: { name: 'Microsoft Defender Trigger' },
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'microsoftDefenderApi', required: true, testedBy: 'microsoftDefenderApiTest' },
		],
		properties: [
			apiSelector,
			{
				displayName: 'Event',
				name: 'event',
				type: 'options',
				noDataExpression: true,
				options: [
					{
						name: 'New Alert',
						value: 'alertCreated',
						description: 'Once per alert, when it is created',
					},
					{
						name: 'New Comment on Alert',
						value: 'alertCommentCreated',
						description: 'Once per comment added to an alert, by a person or an app',
					},
					{
						name: 'New Comment on Incident',
						value: 'commentCreated',
						description: 'Once per comment added to an incident, by a person or an app',
					},
					{
						name: 'New Incident',
						value: 'incidentCreated',
						description: 'Once per incident, when it is created',
					},
					{
						name: 'Updated Alert',
						value: 'alertUpdated',
						description: 'Once per change of an alert (its creation included)',
					},
					{
						name: 'Updated Incident',
						value: 'incidentUpdated',
						description: 'Once per change of an incident (its creation included)',
					},
				],
				default: 'incidentCreated',
			},
			{
				...simplifyField,
				description:
					'Whether to output a compact incident or alert (the shape Simplify gives on the Microsoft Defender node), the same for both APIs, instead of the full record',
			},
			filtersCollection([
				{
					displayName: 'Severity',
					name: 'severity',
					type: 'multiOptions',
					options: SEVERITY_OPTIONS,
					default: [],
					description: 'Only incidents or alerts of these severities',
				},
				{
					displayName: 'Status',
					name: 'status',
					type: 'multiOptions',
					options: optionsOf(INCIDENT_STATUSES),
					default: [],
					description: 'Only incidents in these statuses',
					displayOptions: { show: { '/event': INCIDENT_EVENTS } },
				},
				{
					displayName: 'Status',
					name: 'status',
					type: 'multiOptions',
					options: optionsOf(ALERT_STATUSES),
					default: [],
					description: 'Only alerts in these statuses',
					displayOptions: { show: { '/event': ALERT_EVENTS } },
				},
			]),
			optionsCollection([
				{
					displayName: 'Back-Fill From',
					name: 'backfillFrom',
					type: 'dateTime',
					default: '',
					description:
						'On first activation, emit incidents or alerts from this date on instead of starting from now. It applies when the trigger starts afresh: at first activation, or when Event, API or Tenant ID change (to back-fill again, rename the trigger node).',
				},
				{
					displayName: 'Include Alerts',
					name: 'includeAlerts',
					type: 'boolean',
					default: false,
					description:
						"Whether to include each incident's alerts (devices, entities) in the output, e.g. to enrich with advanced hunting",
					displayOptions: { show: { '/event': INCIDENT_EVENTS } },
				},
				{
					displayName: 'Overlap Window (Minutes)',
					name: 'overlapMinutes',
					type: 'number',
					typeOptions: { minValue: 1, maxValue: MAX_OVERLAP_MINUTES },
					default: DEFAULT_OVERLAP_MINUTES,
					description:
						'Each poll looks back this far before the last change it saw, to catch incidents that Defender indexes late or clocks that differ; what was already emitted is not emitted again',
				},
				{
					displayName: 'Ignore Changes by This App',
					name: 'ignoreOwnChanges',
					type: 'boolean',
					default: false,
					description:
						"Whether to skip comments this credential's app wrote and changes that were surely its own (no field changed, only its comments added), so that a two-way sync does not echo its own writes; when a person may have changed something too, the item is still emitted",
					displayOptions: { show: { '/event': GUARDED_EVENTS } },
				},
				{
					displayName: 'App Names in Defender',
					name: 'ownAuthorNames',
					type: 'string',
					default: '',
					placeholder: 'e.g. n8n Defender Sync',
					description:
						"Comma-separated names under which Defender shows this app's comments (it writes API-App:&lt;app name&gt;; the client ID is always recognised). Used by Ignore Changes by This App.",
					displayOptions: { show: { '/event': GUARDED_EVENTS } },
				},
				...chatMessageOptions,
				tenantIdOption,
			]),
		],
	};

	methods = { credentialTest };

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		const api = this.getNodeParameter('api') as ApiName;
		const event = this.getNodeParameter('event') as FeedEvent;
		const filters = this.getNodeParameter('filters', {}) as IDataObject;
		const options = this.getNodeParameter('options', {}) as IDataObject;
		const simplify = this.getNodeParameter('simplify', true) as boolean;
		const tenantId = tenantIdOf(options.tenantId);
		const includeAlerts = INCIDENT_EVENTS.includes(event) && options.includeAlerts === true;
		// Full alerts (Simplify off) and chat messages name the alert's entities on both APIs.
		const chatWanted =
			typeof options.chatMessageFormat === 'string' && options.chatMessageFormat !== '';
		const alertEvidence = !simplify || chatWanted;
		// A chat message's counts, devices, users and files come from the incident's alerts.
		const source = feedSource(api, event, includeAlerts || chatWanted, alertEvidence);
		const session: ApiSession = { api: source.api, tenantId };
		const severities = (filters.severity as string[] | undefined) ?? [];
		const statuses = (filters.status as string[] | undefined) ?? [];
		const backfillFrom = options.backfillFrom ?? '';
		let backfillTime: number | undefined;
		let overlapMs: number;
		try {
			overlapMs = overlapWindowMs(options.overlapMinutes ?? DEFAULT_OVERLAP_MINUTES);
			backfillTime =
				backfillFrom === '' ? undefined : Date.parse(isoDateTime(backfillFrom, 'Back-Fill From'));
		} catch (error) {
			throw new NodeOperationError(this.getNode(), (error as Error).message);
		}

		const manual = this.getMode() === 'manual';
		const perComment = COMMENT_FEED_EVENTS.includes(event);
		const matches = (record: IDataObject) =>
			(severities.length === 0 ||
				severities.includes(toNodeValue(record.severity, SEVERITIES) ?? '')) &&
			(statuses.length === 0 || statuses.includes(toNodeValue(record.status, STATUSES) ?? ''));
		let chat: ChatSettings | undefined;
		const kind = ALERT_FEED_EVENTS.includes(event) ? 'alert' : 'incident';
		const toItem = ({ record, comment }: Pick<FeedChange, 'record' | 'comment'>) => ({
			json: comment
				? withChatMessage(chat, kind, record, commentItem(api, event, record, comment, simplify))
				: shapeRecord(api, event, record, simplify, includeAlerts, chat),
		});
		const guarded = GUARDED_EVENTS.includes(event) && options.ignoreOwnChanges === true;
		const staticData = this.getWorkflowStaticData('node');
		// Back-Fill From is not part of it: an expression such as {{ $now.minus({ days: 1 }) }} changes at every
		// poll and would start the trigger afresh each time.
		const configuration = JSON.stringify([event, api, tenantId ?? '']);
		const stored = staticData.feed as FeedState | undefined;
		const fresh = !stored || stored.version !== 1 || stored.configuration !== configuration;
		const budget =
			typeof this.getPollBudgetMs === 'function' ? this.getPollBudgetMs() : DEFAULT_POLL_BUDGET_MS;
		const feed: FeedOptions = {
			overlapMs,
			notBefore: backfillTime,
			budgetMs: budget * BUDGET_SHARE,
		};

		try {
			chat = await chatSettings(this, session, options);
			if (manual) {
				// Fetch Test Event: the most recent matching record, and the position is left alone.
				const latest = await latestRecord.call(this, session, source, {
					from: Date.now() - SAMPLE_LOOKBACK_MS,
					budgetMs: SAMPLE_BUDGET_MS,
					matches: (record) => matches(record) && (!perComment || commentsOf(record).length > 0),
				});
				if (!latest) return null;
				return [
					[toItem({ record: latest, comment: perComment ? commentsOf(latest).pop() : undefined })],
				];
			}
			const isOwn = guarded
				? ownAuthorMatcher(
						(await resolveIdentity(this, session)).identity.clientId,
						typeof options.ownAuthorNames === 'string' ? options.ownAuthorNames : '',
					)
				: undefined;
			if (fresh && backfillTime === undefined) {
				// First activation starts from now: what the overlap window already holds counts as seen, so later
				// polls emit none of it yet still catch a change that a lagging clock or late indexing dates earlier.
				const first = await pollFeed.call(
					this,
					session,
					source,
					{ version: 1, configuration, since: Date.now(), seen: {} },
					feed,
				);
				staticData.feed = isOwn ? withSightings(first.state, first.changes, source) : first.state;
				return null;
			}
			const previous: FeedState = fresh
				? { version: 1, configuration, since: backfillTime as number, seen: {} }
				: (stored as FeedState);
			const { changes, state } = await pollFeed.call(this, session, source, previous, feed);
			let emitted = changes.filter(({ record }) => matches(record));
			if (isOwn) {
				emitted = emitted.filter(({ record, comment, time }) =>
					comment
						? !isOwn(comment.author)
						: !onlyOwnChange(
								previous.sightings?.[source.idOf(record)],
								sightingOf(record, source.property, time),
								record,
								isOwn,
							),
				);
			}
			// The watermark moves only together with the items handed to n8n.
			staticData.feed = isOwn ? withSightings(state, changes, source) : state;
			return emitted.length > 0 ? [emitted.map(toItem)] : null;
		} catch (error) {
			// The stored position is untouched: the next poll starts from the same watermark.
			throw toNodeError(this, error);
		}
	}
}
