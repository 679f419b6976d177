import type { IDataObject } from 'n8n-workflow';

import type { ApiName } from '../transport/cloud';

/** Values as the node shows them (the Defender XDR API's spelling); Graph spells them in camelCase. */
export const INCIDENT_STATUSES = ['Active', 'InProgress', 'Resolved', 'Redirected'] as const;
/**
 * Statuses an incident may be read with: Graph's incidentStatus (v1.0 CSDL) also has awaitingAction, which
 * no write documents, so it is read and never offered.
 */
export const INCIDENT_STATUSES_READ = [...INCIDENT_STATUSES, 'AwaitingAction'] as const;
export const SEVERITIES = ['Informational', 'Low', 'Medium', 'High', 'UnSpecified'] as const;
export const CLASSIFICATIONS = [
	'Unknown',
	'FalsePositive',
	'TruePositive',
	'InformationalExpectedActivity',
] as const;
export const DETERMINATIONS = [
	'NotAvailable',
	'Apt',
	'Malware',
	'SecurityPersonnel',
	'SecurityTesting',
	'UnwantedSoftware',
	'Other',
	'MultiStagedAttack',
	'CompromisedAccount',
	'Phishing',
	'MaliciousUserActivity',
	'NotMalicious',
	'NotEnoughDataToValidate',
	'ConfirmedUserActivity',
	'LineOfBusinessApplication',
] as const;

/**
 * The determinations that go with each classification, as Microsoft documents them (Graph's
 * alertDetermination values, the portal's classify pane). Not Available (no determination) goes with any.
 */
export const DETERMINATIONS_BY_CLASSIFICATION: Record<
	(typeof CLASSIFICATIONS)[number],
	ReadonlyArray<(typeof DETERMINATIONS)[number]>
> = {
	Unknown: ['NotAvailable'],
	TruePositive: [
		'NotAvailable',
		'Apt',
		'CompromisedAccount',
		'MaliciousUserActivity',
		'Malware',
		'MultiStagedAttack',
		'Other',
		'Phishing',
		'SecurityPersonnel',
		'UnwantedSoftware',
	],
	InformationalExpectedActivity: [
		'NotAvailable',
		'ConfirmedUserActivity',
		'LineOfBusinessApplication',
		'Other',
		'SecurityTesting',
	],
	FalsePositive: ['NotAvailable', 'NotEnoughDataToValidate', 'NotMalicious', 'Other'],
};

/**
 * Where Graph's word differs from the lower-camel form of the node's word. Graph's v1.0 CSDL
 * (msgraph-metadata schemas/v1.0-Prod.csdl, enum microsoft.graph.security.alertDetermination) spells
 * Confirmed activity `confirmedActivity`.
 */
const GRAPH_SPECIAL: Record<string, string> = {
	UnSpecified: 'unknown',
	NotAvailable: 'unknown',
	ConfirmedUserActivity: 'confirmedActivity',
};

/** Deprecated on the Defender XDR and Defender for Endpoint APIs since August 2022; Graph still has them. */
export const GRAPH_ONLY_DETERMINATIONS: ReadonlyArray<(typeof DETERMINATIONS)[number]> = [
	'Apt',
	'SecurityPersonnel',
];

/**
 * The determination as each non-Graph API's write takes it, where that differs from the node's value.
 * Microsoft's pages disagree with each other; the choice and its evidence:
 * - Defender XDR incident PATCH: defender-xdr/api-update-incidents.md spells NoEnoughDataToValidate,
 *   ConfirmedActivity, CompromisedAccount, and Cortex XSOAR's Microsoft365Defender.py
 *   (CLASSIFICATION_DETERMINATION_MAPPING) sends exactly these, and NotMalicious (the page says Clean).
 * - Defender for Endpoint alert PATCH: defender-endpoint/api/update-alert.md spells CompromisedUser,
 *   ConfirmedActivity, NotMalicious, InsufficientData (alerts.md agrees on CompromisedUser and
 *   InsufficientData); XSOAR's MicrosoftDefenderAdvancedThreatProtection offers none of these four.
 */
const WRITE_SPELLING: Record<'defenderXdr' | 'endpoint', Record<string, string>> = {
	defenderXdr: {
		NotEnoughDataToValidate: 'NoEnoughDataToValidate',
		ConfirmedUserActivity: 'ConfirmedActivity',
	},
	endpoint: {
		NotEnoughDataToValidate: 'InsufficientData',
		ConfirmedUserActivity: 'ConfirmedActivity',
		CompromisedAccount: 'CompromisedUser',
	},
};

/** A determination spelled for the API that receives it. */
export function determinationFor(api: ApiName, value: string): string {
	if (api === 'graph') return toGraphValue(value);
	return WRITE_SPELLING[api][value] ?? value;
}

/**
 * Every spelling Microsoft's pages and answers use for a determination (api-incident.md, alerts.md,
 * the update pages, Graph's CSDL), read as the node's one value.
 */
const DETERMINATION_ALIASES: Record<string, (typeof DETERMINATIONS)[number]> = {
	insufficientdata: 'NotEnoughDataToValidate',
	noenoughdatatovalidate: 'NotEnoughDataToValidate',
	confirmedactivity: 'ConfirmedUserActivity',
	clean: 'NotMalicious',
	compromiseduser: 'CompromisedAccount',
};

/** A determination from any API in the node's spelling. */
export function determinationOf(value: unknown): string | null {
	const alias = typeof value === 'string' ? DETERMINATION_ALIASES[value.toLowerCase()] : undefined;
	return alias ?? toNodeValue(value, DETERMINATIONS);
}

export function toGraphValue(value: string): string {
	return GRAPH_SPECIAL[value] ?? value.charAt(0).toLowerCase() + value.slice(1);
}

/** The node's spelling of a value from either API; `vocabulary` resolves Graph's `unknown`. */
export function toNodeValue(value: unknown, vocabulary: readonly string[]): string | null {
	if (typeof value !== 'string' || value === '') return null;
	const exact = vocabulary.find((word) => word === value);
	if (exact) return exact;
	const matching = vocabulary.find(
		(word) => toGraphValue(word) === value || word.toLowerCase() === value.toLowerCase(),
	);
	return matching ?? value;
}

/** The field names of an incident in each API's shape. */
const FIELDS: Record<'defenderXdr' | 'graph', Record<string, string>> = {
	defenderXdr: {
		id: 'incidentId',
		title: 'incidentName',
		createdAt: 'createdTime',
		updatedAt: 'lastUpdateTime',
		tags: 'tags',
		portalUrl: 'incidentUri',
	},
	graph: {
		id: 'id',
		title: 'displayName',
		createdAt: 'createdDateTime',
		updatedAt: 'lastUpdateDateTime',
		tags: 'customTags',
		portalUrl: 'incidentWebUrl',
	},
};

export function incidentApiShape(api: ApiName): 'defenderXdr' | 'graph' {
	return api === 'graph' ? 'graph' : 'defenderXdr';
}

export function incidentField(api: ApiName, field: keyof (typeof FIELDS)['graph']): string {
	return FIELDS[incidentApiShape(api)][field];
}

export function incidentId(api: ApiName, incident: IDataObject): string {
	return String(incident[incidentField(api, 'id')] ?? '');
}

export function incidentUpdatedAt(api: ApiName, incident: IDataObject): string {
	return String(incident[incidentField(api, 'updatedAt')] ?? '');
}

export function incidentTags(api: ApiName, incident: IDataObject): string[] {
	const tags = incident[incidentField(api, 'tags')];
	return Array.isArray(tags) ? tags.filter((tag): tag is string => typeof tag === 'string') : [];
}

/** A time from either API as an ISO string (as Simplify outputs it); null when absent. */
export function isoOrNull(value: unknown): string | null {
	if (typeof value !== 'string' || value === '') return null;
	const time = Date.parse(value);
	return Number.isNaN(time) ? value : new Date(time).toISOString();
}

/**
 * The compact shape documented in the README, identical for both APIs: enum values in the node's
 * spelling, times as ISO strings, `alertCount` null when the alerts were not requested.
 */
export function simplifyIncident(api: ApiName, incident: IDataObject): IDataObject {
	const alerts = incident.alerts;
	return {
		id: incidentId(api, incident),
		title: (incident[incidentField(api, 'title')] as string | undefined) ?? null,
		severity: toNodeValue(incident.severity, SEVERITIES),
		status: toNodeValue(incident.status, INCIDENT_STATUSES_READ),
		classification: toNodeValue(incident.classification, CLASSIFICATIONS),
		determination: determinationOf(incident.determination),
		assignedTo: (incident.assignedTo as string | null | undefined) ?? null,
		createdAt: isoOrNull(incident[incidentField(api, 'createdAt')]),
		updatedAt: isoOrNull(incident[incidentField(api, 'updatedAt')]),
		tags: incidentTags(api, incident),
		alertCount: Array.isArray(alerts) ? alerts.length : null,
		portalUrl: (incident[incidentField(api, 'portalUrl')] as string | undefined) ?? null,
	};
}
