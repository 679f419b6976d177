import type { INodeProperties } from 'n8n-workflow';

import {
	CLASSIFICATIONS,
	DETERMINATIONS,
	DETERMINATIONS_BY_CLASSIFICATION,
	GRAPH_ONLY_DETERMINATIONS,
	SEVERITIES,
} from '../helpers/incidents';
import { MAX_TIMEOUT_SECONDS } from '../helpers/validate';

export const HUNTING_RETIREMENT_NOTICE =
	'Advanced hunting on the Defender XDR API stops returning data on 1 February 2027. Pick Microsoft Graph for hunting (permission ThreatHunting.Read.All).';

export const apiSelector: INodeProperties = {
	displayName: 'API',
	name: 'api',
	type: 'options',
	noDataExpression: true,
	options: [
		{
			name: 'Defender XDR API',
			value: 'defenderXdr',
			description:
				'Calls api.security.microsoft.com — permissions Incident.*, AdvancedHunting.Read.All',
		},
		{
			name: 'Microsoft Graph Security',
			value: 'graph',
			description:
				'Calls graph.microsoft.com/v1.0/security — permissions SecurityIncident.*, ThreatHunting.Read.All. Recommended.',
		},
	],
	default: 'graph',
	description:
		'Which Microsoft API to call; pick the one your app registration holds permissions for. Both return the same Simplify output.',
};

/**
 * Alerts with API = Defender XDR go to the Defender for Endpoint API's /api/alerts, which holds Defender for
 * Endpoint alerts only (defender-endpoint/api/alerts.md points to Graph for every Defender product's alerts).
 */
export const ENDPOINT_ALERTS_NOTICE =
	"With the Defender XDR API, alerts come from the Defender for Endpoint API: Defender for Endpoint alerts only. An incident's Office 365, Identity and Cloud Apps alerts are not there; pick Microsoft Graph for those (permission SecurityAlert.Read.All).";

export const tenantIdOption: INodeProperties = {
	displayName: 'Tenant ID',
	name: 'tenantId',
	type: 'string',
	default: '',
	placeholder: 'e.g. 00000000-0000-0000-0000-000000000000',
	description:
		"Customer tenant to act on instead of the credential's tenant (MSSP: one multi-tenant app consented in several tenants). Tokens are cached per tenant.",
};

/** The per-request timeout; 0 (what saved workflows that never set it hold) means the same default. */
export const requestTimeoutOption: INodeProperties = {
	displayName: 'Request Timeout (Seconds)',
	name: 'timeout',
	type: 'number',
	typeOptions: { minValue: 0, maxValue: MAX_TIMEOUT_SECONDS },
	default: 60,
	description:
		'How long to wait for each single answer from the API before retrying or failing, at most 900 (15 minutes). 0 means the default, 60.',
};

export const huntingTimeoutOption: INodeProperties = {
	...requestTimeoutOption,
	default: 240,
	description:
		"How long to wait for the query's answer before failing, at most 900 (15 minutes). 0 means the default, 240.",
};

export const simplifyField: INodeProperties = {
	displayName: 'Simplify',
	name: 'simplify',
	type: 'boolean',
	default: true,
	description:
		'Whether to return a compact incident (ID, title, severity, status, classification, determination, assigned to, times, tags, alert count, portal URL), the same for both APIs, instead of the full record',
};

export const alertSimplifyField: INodeProperties = {
	...simplifyField,
	description:
		'Whether to return a compact alert (ID, title, severity, status, classification, determination, assigned to, incident, category, times, device, portal URL), the same for both APIs, instead of the full record',
};

export const incidentIdLocator: INodeProperties = {
	displayName: 'Incident',
	name: 'incidentId',
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	required: true,
	description: 'The incident to use',
	modes: [
		{
			displayName: 'From List',
			name: 'list',
			type: 'list',
			typeOptions: { searchListMethod: 'searchIncidents', searchable: true },
		},
		{
			displayName: 'By ID',
			name: 'id',
			type: 'string',
			placeholder: 'e.g. 1234',
			validation: [
				{
					type: 'regex',
					properties: {
						regex: '^\\s*\\d+\\s*$',
						errorMessage: 'An incident ID is a number, e.g. 1234',
					},
				},
			],
		},
		{
			displayName: 'By URL',
			name: 'url',
			type: 'string',
			placeholder: 'e.g. https://security.microsoft.com/incidents/1234?tid=…',
			extractValue: { type: 'regex', regex: '/incidents/(\\d+)' },
			validation: [
				{
					type: 'regex',
					properties: {
						regex: '.*/incidents/\\d+.*',
						errorMessage:
							'Paste a Defender portal incident URL, e.g. https://security.microsoft.com/incidents/1234',
					},
				},
			],
		},
	],
};

export const machineIdLocator: INodeProperties = {
	displayName: 'Device',
	name: 'machineId',
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	required: true,
	description:
		'The device: its Defender device ID or its DNS name (a name must match exactly one device)',
	modes: [
		{
			displayName: 'From List',
			name: 'list',
			type: 'list',
			typeOptions: { searchListMethod: 'searchMachines', searchable: true },
		},
		// n8n's editor labels the mode named `id` "By ID" whatever its display name; workflows saved with a
		// name in it keep working, since the reader resolves names and IDs alike.
		{
			displayName: 'By ID',
			name: 'id',
			type: 'string',
			placeholder: 'e.g. 1e5bc9d7e413ddd7902c2932e418702b84d0cc07',
		},
		{
			displayName: 'By Name',
			name: 'name',
			type: 'string',
			placeholder: 'e.g. ws-0101.contoso.local or ws-0101',
		},
	],
};

export const alertIdLocator: INodeProperties = {
	displayName: 'Alert',
	name: 'alertId',
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	required: true,
	description: 'The alert to use; its ID is the same on both APIs',
	modes: [
		{
			displayName: 'From List',
			name: 'list',
			type: 'list',
			typeOptions: { searchListMethod: 'searchAlerts', searchable: true },
		},
		{
			displayName: 'By ID',
			name: 'id',
			type: 'string',
			placeholder: 'e.g. da637551227677560813_-961444813',
			validation: [
				{
					type: 'regex',
					properties: {
						regex: '^\\s*[\\w.:-]+\\s*$',
						errorMessage:
							'An alert ID has letters, digits, "_" and "-", e.g. da637551227677560813_-961444813',
					},
				},
			],
		},
		{
			displayName: 'By URL',
			name: 'url',
			type: 'string',
			placeholder:
				'e.g. https://security.microsoft.com/alerts/da637551227677560813_-961444813?tid=…',
			extractValue: { type: 'regex', regex: '/alerts/([\\w.:-]+)' },
			validation: [
				{
					type: 'regex',
					properties: {
						regex: '.*/alerts/[\\w.:-]+.*',
						errorMessage:
							'Paste a Defender portal alert URL, e.g. https://security.microsoft.com/alerts/da637551227677560813_-961444813',
					},
				},
			],
		},
	],
};

export const machineActionIdLocator: INodeProperties = {
	displayName: 'Machine Action',
	name: 'machineActionId',
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	required: true,
	description: 'The response action, e.g. from the ID field of an Isolate output',
	modes: [
		{
			displayName: 'From List',
			name: 'list',
			type: 'list',
			typeOptions: { searchListMethod: 'searchMachineActions', searchable: true },
		},
		{
			displayName: 'By ID',
			name: 'id',
			type: 'string',
			placeholder: 'e.g. 5382f7ea-7557-4ab7-9782-d50480024a4e',
			validation: [
				{
					type: 'regex',
					properties: {
						regex:
							'^\\s*[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\\s*$',
						errorMessage:
							'A machine action ID is a GUID, e.g. 5382f7ea-7557-4ab7-9782-d50480024a4e',
					},
				},
			],
		},
	],
};

export const indicatorIdLocator: INodeProperties = {
	displayName: 'Indicator',
	name: 'indicatorId',
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	required: true,
	description: 'The custom indicator to use',
	modes: [
		{
			displayName: 'From List',
			name: 'list',
			type: 'list',
			typeOptions: { searchListMethod: 'searchIndicators', searchable: true },
		},
		{
			displayName: 'By ID',
			name: 'id',
			type: 'string',
			placeholder: 'e.g. 995',
			validation: [
				{
					type: 'regex',
					properties: {
						regex: '^\\s*\\d+\\s*$',
						errorMessage: 'An indicator ID is a number, e.g. 995',
					},
				},
			],
		},
	],
};

export const identityAccountLocator: INodeProperties = {
	displayName: 'Account',
	name: 'account',
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	required: true,
	description:
		'The account: picked from Defender for Identity, or its UPN, DOMAIN\\name, account name, SID or identity account ID (it must match exactly one)',
	modes: [
		{
			displayName: 'From List',
			name: 'list',
			type: 'list',
			typeOptions: { searchListMethod: 'searchIdentityAccounts', searchable: true },
		},
		// As for Device: the mode `id` reads "By ID" in the editor; saved names in it keep working.
		{
			displayName: 'By ID',
			name: 'id',
			type: 'string',
			placeholder: 'e.g. an identity account ID',
		},
		{
			displayName: 'By Username',
			name: 'name',
			type: 'string',
			placeholder: 'e.g. jdoe@contoso.com, CONTOSO\\jdoe or an on-premises SID',
		},
	],
};

/**
 * A resource locator over a Defender list: From List (its search method) or the value typed in (By ID
 * unless `typed` names the mode otherwise). The field keeps the name it had as a plain string, so saved
 * workflows read the same.
 */
export function listLocator(field: {
	displayName: string;
	name: string;
	description: string;
	searchListMethod: string;
	placeholder: string;
	typed?: { displayName: string; name: string };
}): INodeProperties {
	const typed = field.typed ?? { displayName: 'By ID', name: 'id' };
	return {
		displayName: field.displayName,
		name: field.name,
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		required: true,
		description: field.description,
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				typeOptions: { searchListMethod: field.searchListMethod, searchable: true },
			},
			{ ...typed, type: 'string', placeholder: field.placeholder },
		],
	};
}

/**
 * A file of the live response library: From List, or its name typed in. Fields that were plain strings
 * keep their name; n8n hands such a saved string over unchanged, and the readers accept it.
 */
export function libraryFileLocator(field: {
	displayName: string;
	name: string;
	description: string;
	placeholder: string;
}): INodeProperties {
	return listLocator({
		...field,
		searchListMethod: 'searchLibraryFiles',
		typed: { displayName: 'By Name', name: 'name' },
	});
}

export const returnAllFields: INodeProperties[] = [
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 50,
		description: 'Max number of results to return',
		displayOptions: { show: { returnAll: [false] } },
	},
];

/** The text of an Add Comment operation. */
export function commentField(record: 'incident' | 'alert'): INodeProperties {
	return {
		displayName: 'Comment',
		name: 'comment',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		required: true,
		placeholder: 'e.g. Triaged by n8n: …',
		description: `Text added to the ${record}'s comments`,
	};
}

/** The n8n shell of an Options collection. */
export function optionsCollection(options: INodeProperties[]): INodeProperties {
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options,
	};
}

/** The n8n shell of a Filters collection. */
export function filtersCollection(options: INodeProperties[]): INodeProperties {
	return {
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		options,
	};
}

/** Get Many filters that incidents and alerts share; n8n lists filters alphabetically, hence two parts. */
export function assignedAndCreatedFilters(records: 'incidents' | 'alerts'): INodeProperties[] {
	return [
		{
			displayName: 'Assigned To',
			name: 'assignedTo',
			type: 'string',
			default: '',
			placeholder: 'e.g. analyst@contoso.com',
			description: `Only ${records} assigned to this user (exact match)`,
		},
		{ displayName: 'Created After', name: 'createdAfter', type: 'dateTime', default: '' },
		{ displayName: 'Created Before', name: 'createdBefore', type: 'dateTime', default: '' },
	];
}

export const updatedFilters: INodeProperties[] = [
	{ displayName: 'Updated After', name: 'updatedAfter', type: 'dateTime', default: '' },
	{ displayName: 'Updated Before', name: 'updatedBefore', type: 'dateTime', default: '' },
];

export const optionsWithTenant = optionsCollection([requestTimeoutOption, tenantIdOption]);

/** API values whose words spaced apart do not read the way n8n writes them (acronyms, hyphens). */
const LABELS: Record<string, string> = {
	Apt: 'APT',
	// Microsoft's label (api-update-incidents.md: "Confirmed activity"); the saved value stays.
	ConfirmedUserActivity: 'Confirmed Activity',
	FileMd5: 'File MD5',
	FileSha1: 'File SHA-1',
	FileSha256: 'File SHA-256',
	InformationalExpectedActivity: 'Informational, Expected Activity',
	IpAddress: 'IP Address',
	LineOfBusinessApplication: 'Line-of-Business Application',
	MultiStagedAttack: 'Multi-Staged Attack',
	NoSensorDataImpairedCommunication: 'No Sensor Data, Impaired Communication',
	RunAntiVirusScan: 'Run Antivirus Scan',
	TimeOut: 'Timed Out',
	UnSpecified: 'Unspecified',
	UnsupportedOs: 'Unsupported OS',
	Url: 'URL',
};

/** Words n8n's title case keeps in lower case unless they come first. */
const SMALL_WORDS = new Set(['and', 'by', 'for', 'of', 'or', 'per', 'to', 'with']);

/** An API value as a person reads it: `InProgress` → `In Progress`, `FileSha256` → `File SHA-256`, `TerminatedByUser` → `Terminated by User`. */
export function labelOf(value: string): string {
	if (LABELS[value]) return LABELS[value];
	return value
		.replace(/([a-z0-9])([A-Z])/g, '$1 $2')
		.split(' ')
		.map((word, index) =>
			index > 0 && SMALL_WORDS.has(word.toLowerCase()) ? word.toLowerCase() : word,
		)
		.join(' ');
}

/** Dropdown options from a vocabulary, labelled and sorted by label as n8n lists options. */
export function optionsOf(
	values: readonly string[],
	descriptions: Record<string, string> = {},
): Array<{ name: string; value: string; description?: string }> {
	return values
		.map((value) => ({
			name: labelOf(value),
			value,
			...(descriptions[value] ? { description: descriptions[value] } : {}),
		}))
		.sort((a, b) => a.name.localeCompare(b.name));
}

/** What each indicator action does, for the choice users make when creating one. */
export const INDICATOR_ACTION_DESCRIPTIONS: Record<string, string> = {
	Alert: 'Retired by Microsoft in January 2022: older indicators only',
	AlertAndBlock: 'Retired by Microsoft in January 2022: older indicators only',
	Allowed: 'Never detect or block it (an exclusion)',
	Audit:
		'Record matches without blocking and raise an alert (Microsoft requires Generate Alert on)',
	Block: 'Block the file from running, or the connection to the IP address, domain or URL',
	BlockAndRemediate: 'Files only: block and also quarantine the file where it is found',
	Warn: 'IP addresses, domains and URLs: warn the user, who can go on anyway',
};

/** For the list shown before a classification is chosen: which classification each determination fits. */
function pairOf(determination: (typeof DETERMINATIONS)[number]): string {
	const fits = CLASSIFICATIONS.filter((classification) =>
		DETERMINATIONS_BY_CLASSIFICATION[classification].includes(determination),
	);
	if (fits.length === CLASSIFICATIONS.length) return 'No determination, with any classification';
	if (fits.length > 1) return 'With any classification but Unknown';
	return `With ${labelOf(fits[0])}`;
}

/** Classification and determination: the same documented values for incidents and alerts. */
export const classificationField: INodeProperties = {
	displayName: 'Classification',
	name: 'classification',
	type: 'options',
	options: optionsOf(CLASSIFICATIONS),
	// Not True Positive: a field added and left as it is must not report an attack. Saved workflows keep their
	// value, because n8n stores every field added to a collection.
	default: 'Unknown',
	description: 'Pick the classification; Determination then lists the determinations that fit it',
};

/** Without Graph's APT and Security Personnel, which the Defender XDR and Defender for Endpoint APIs dropped. */
function withoutGraphOnly(
	values: ReadonlyArray<(typeof DETERMINATIONS)[number]>,
): Array<(typeof DETERMINATIONS)[number]> {
	return values.filter((value) => !GRAPH_ONLY_DETERMINATIONS.includes(value));
}

/**
 * Determination, one variant per classification chosen in the same Update Fields and per API (APT and
 * Security Personnel are offered on Graph only: deprecated on the other APIs since August 2022), plus every
 * determination while no classification is added. n8n shows the one whose display options match. Saved
 * values are the same node values whichever variant shows them; each API gets its own spelling on send.
 */
export const determinationFields: INodeProperties[] = [
	...[true, false].map((graph): INodeProperties => ({
		displayName: 'Determination',
		name: 'determination',
		type: 'options',
		options: optionsOf(
			graph ? DETERMINATIONS : withoutGraphOnly(DETERMINATIONS),
			Object.fromEntries(DETERMINATIONS.map((value) => [value, pairOf(value)])),
		),
		default: 'NotAvailable',
		description: 'Add Classification to list only the determinations that fit it',
		displayOptions: graph
			? { show: { '/api': ['graph'] }, hide: { classification: [...CLASSIFICATIONS] } }
			: { hide: { classification: [...CLASSIFICATIONS], '/api': ['graph'] } },
	})),
	...CLASSIFICATIONS.flatMap((classification): INodeProperties[] => {
		const values = DETERMINATIONS_BY_CLASSIFICATION[classification];
		const field = (
			options: ReadonlyArray<(typeof DETERMINATIONS)[number]>,
			displayOptions: INodeProperties['displayOptions'],
		): INodeProperties => ({
			displayName: 'Determination',
			name: 'determination',
			type: 'options',
			options: optionsOf(options),
			default: 'NotAvailable',
			description: `The determinations that go with ${labelOf(classification)}`,
			displayOptions,
		});
		if (withoutGraphOnly(values).length === values.length)
			return [field(values, { show: { classification: [classification] } })];
		return [
			field(values, { show: { classification: [classification], '/api': ['graph'] } }),
			field(withoutGraphOnly(values), {
				show: { classification: [classification] },
				hide: { '/api': ['graph'] },
			}),
		];
	}),
];

/** Severities as a dropdown (the API's `UnSpecified` reads "Unspecified"). */
export const SEVERITY_OPTIONS = optionsOf(SEVERITIES);

/** Adds `chatMessage` to each output item: a message ready to post to Slack, Teams or a Markdown chat. */
export const chatMessageOptions: INodeProperties[] = [
	{
		displayName: 'Chat Message Format',
		name: 'chatMessageFormat',
		type: 'options',
		options: [
			{
				name: 'Markdown',
				value: 'markdown',
				description: 'Text for Discord, Mattermost, Google Chat, Telegram and others',
			},
			{
				name: 'Microsoft Teams (Adaptive Card)',
				value: 'teams',
				description:
					'A message for a Teams Workflows webhook; the card alone is chatMessage.attachments[0].content',
			},
			{
				name: 'Slack (Block Kit)',
				value: 'slack',
				description: '{text, blocks} for a Slack incoming webhook or the Slack node',
			},
		],
		default: 'slack',
		description:
			'Adds a chatMessage field, ready to post: severity, status, title, assignee, alert and entity counts, top devices, users and files, and a link to the Defender portal. The alerts it counts are fetched for it even with Include Alerts off. Values are escaped so that they cannot mention anyone or change the formatting.',
	},
	{
		displayName: 'Chat Approve URL',
		name: 'chatApproveUrl',
		type: 'string',
		default: '',
		placeholder: "e.g. {{ $execution.resumeUrl + '?decision=approve' }}",
		description:
			'Adds an Approve button or link to the chat message, e.g. the resume URL of a Wait node',
	},
	{
		displayName: 'Chat Reject URL',
		name: 'chatRejectUrl',
		type: 'string',
		default: '',
		placeholder: "e.g. {{ $execution.resumeUrl + '?decision=reject' }}",
		description: 'Adds a Reject button or link to the chat message',
	},
];

/** Options of the alert reads: the chat message, timeout and tenant. */
export const alertReadOptions = optionsCollection([
	...chatMessageOptions,
	requestTimeoutOption,
	tenantIdOption,
]);

/** Entity kinds a Get Entities step keeps (empty: all). */
export const entityTypesField: INodeProperties = {
	displayName: 'Entity Types',
	name: 'entityTypes',
	type: 'multiOptions',
	options: [
		{ name: 'Cloud App', value: 'cloudApp' },
		{ name: 'Device', value: 'device' },
		{ name: 'Domain', value: 'domain', description: 'Domains of the URLs, and DNS evidence' },
		{ name: 'Email Message', value: 'emailMessage' },
		{
			name: 'File',
			value: 'file',
			description: 'File evidence, and the image file of each process that has none of its own',
		},
		{ name: 'IP Address', value: 'ip' },
		{ name: 'Mailbox', value: 'mailbox' },
		{
			name: 'Other',
			value: 'other',
			description: 'Kinds this node does not know yet, with their type name',
		},
		{ name: 'Process', value: 'process' },
		{ name: 'Registry', value: 'registry' },
		{ name: 'URL', value: 'url' },
		{ name: 'User', value: 'user' },
	],
	default: [],
	description: 'Which kinds of entities to output; none selected = all',
};

export const groupByKindOption: INodeProperties = {
	displayName: 'Group by Kind',
	name: 'groupByKind',
	type: 'boolean',
	default: false,
	description:
		'Whether to output one item with the entities grouped by kind (devices, users, files, …) instead of one item per entity',
};
