import type { INodeProperties } from 'n8n-workflow';

import { CLASSIFICATIONS, DETERMINATIONS, SEVERITIES } from '../helpers/incidents';
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
			name: 'Microsoft Graph Security',
			value: 'graph',
			description:
				'Calls graph.microsoft.com/v1.0/security — permissions SecurityIncident.*, ThreatHunting.Read.All. Recommended.',
		},
		{
			name: 'Defender XDR API',
			value: 'defenderXdr',
			description:
				'Calls api.security.microsoft.com — permissions Incident.*, AdvancedHunting.Read.All',
		},
	],
	default: 'graph',
	description:
		'Which Microsoft API to call; pick the one your app registration holds permissions for. Both return the same Simplify output.',
};

export const tenantIdOption: INodeProperties = {
	displayName: 'Tenant ID',
	name: 'tenantId',
	type: 'string',
	default: '',
	placeholder: '00000000-0000-0000-0000-000000000000',
	description:
		"Customer tenant to act on instead of the credential's tenant (MSSP: one multi-tenant app consented in several tenants). Tokens are cached per tenant.",
};

export const requestTimeoutOption: INodeProperties = {
	displayName: 'Timeout (Seconds)',
	name: 'timeout',
	type: 'number',
	typeOptions: { minValue: 0, maxValue: MAX_TIMEOUT_SECONDS },
	default: 0,
	description:
		'How long to wait for each answer before retrying or failing, at most 900 (15 minutes). 0 = the default: 60 s, 240 s for advanced hunting.',
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
		{
			displayName: 'By ID or Name',
			name: 'id',
			type: 'string',
			placeholder: 'e.g. ws-0101.contoso.local or 1e5bc9d7e413ddd7902c2932e418702b84d0cc07',
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
		{
			displayName: 'By UPN, Name or ID',
			name: 'id',
			type: 'string',
			placeholder: 'e.g. jdoe@contoso.com, CONTOSO\\jdoe or an identity account ID',
		},
	],
};

/**
 * A resource locator over a Defender list: From List (its search method) or the ID typed in. The field
 * keeps the name it had as a plain string, so saved workflows read the same.
 */
export function listLocator(field: {
	displayName: string;
	name: string;
	description: string;
	searchListMethod: string;
	placeholder: string;
}): INodeProperties {
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
			{ displayName: 'By ID', name: 'id', type: 'string', placeholder: field.placeholder },
		],
	};
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
		placeholder: 'Triaged by n8n: …',
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

export const optionsWithTenant = optionsCollection([requestTimeoutOption, tenantIdOption]);

/** A value as a person reads it: `InProgress` → `In Progress`, `FileSha256` → `File Sha256`. */
export function spacedWords(value: string): string {
	return value.replace(/([a-z0-9])([A-Z])/g, '$1 $2');
}

/** Dropdown options from a vocabulary, with names spaced (or renamed). */
export function optionsOf(
	values: readonly string[],
	names: Record<string, string> = {},
): Array<{ name: string; value: string }> {
	return values.map((value) => ({ name: names[value] ?? spacedWords(value), value }));
}

/** Classification and determination: the same documented values for incidents and alerts. */
export const classificationField: INodeProperties = {
	displayName: 'Classification',
	name: 'classification',
	type: 'options',
	options: optionsOf(CLASSIFICATIONS),
	default: 'TruePositive',
};

export const determinationField: INodeProperties = {
	displayName: 'Determination',
	name: 'determination',
	type: 'options',
	options: optionsOf(DETERMINATIONS, { Apt: 'APT' }),
	default: 'NotAvailable',
};

/** Severities as a dropdown: the API's `UnSpecified` reads "Unspecified". */
export const SEVERITY_OPTIONS = optionsOf(SEVERITIES, { UnSpecified: 'Unspecified' });

/** Adds `chatMessage` to each output item: a message ready to post to Slack, Teams or a Markdown chat. */
export const chatMessageOptions: INodeProperties[] = [
	{
		displayName: 'Chat Message Format',
		name: 'chatMessageFormat',
		type: 'options',
		options: [
			{
				name: 'Slack (Block Kit)',
				value: 'slack',
				description: '{text, blocks} for a Slack incoming webhook or the Slack node',
			},
			{
				name: 'Microsoft Teams (Adaptive Card)',
				value: 'teams',
				description:
					'A message for a Teams Workflows webhook; the card alone is chatMessage.attachments[0].content',
			},
			{
				name: 'Markdown',
				value: 'markdown',
				description: 'Text for Discord, Mattermost, Google Chat, Telegram and others',
			},
		],
		default: 'slack',
		description:
			'Whether to add a chatMessage field, ready to post: severity, status, title, assignee, alert and entity counts, top devices, users and files, and a link to the Defender portal. Values are escaped so that they cannot mention anyone or change the formatting.',
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
		{ name: 'File', value: 'file' },
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
