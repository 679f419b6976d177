import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { OperationOption } from '../node.type';
import { endpointSessionFor } from '../../helpers/parameters';
import {
	INDICATOR_ACTION_DESCRIPTIONS,
	labelOf,
	optionsOf,
	optionsWithTenant,
} from '../../descriptions/common';
import { SEVERITIES } from '../../helpers/incidents';
import {
	INDICATOR_CREATE_ACTIONS,
	INDICATOR_TYPES,
	RETIRED_INDICATOR_ACTIONS,
	inferIndicatorType,
	isValidIndicator,
	type IndicatorType,
} from '../../helpers/indicators';
import { isoDateTime, quoted } from '../../helpers/validate';
import { defenderApiRequest } from '../../transport/request';

export const properties: INodeProperties[] = [
	{
		displayName: 'Value',
		name: 'indicatorValue',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. a SHA-256, 203.0.113.7, evil.example or https://evil.example/a.exe',
	},
	{
		displayName: 'Type',
		name: 'indicatorType',
		type: 'options',
		options: [{ name: 'Auto (From the Value)', value: 'auto' }, ...optionsOf(INDICATOR_TYPES)],
		default: 'auto',
		description:
			'Auto recognises SHA-1/SHA-256/MD5 by length, IP addresses, URLs (with http/https) and domains',
	},
	{
		displayName: 'Action',
		name: 'action',
		type: 'options',
		options: optionsOf(INDICATOR_CREATE_ACTIONS, INDICATOR_ACTION_DESCRIPTIONS),
		default: 'Block',
		description:
			'A workflow saved with Alert or AlertAndBlock (retired by Microsoft in January 2022) sends Audit or Block with Generate Alert on',
	},
	{
		displayName: 'Title',
		name: 'title',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. Ransomware payload from incident 1234',
	},
	{
		displayName: 'Description',
		name: 'description',
		type: 'string',
		typeOptions: { rows: 3 },
		default: '',
		required: true,
	},
	{
		displayName: 'Additional Fields',
		name: 'additionalFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		options: [
			{
				displayName: 'Expiration',
				name: 'expirationTime',
				type: 'dateTime',
				default: '',
				description: 'When the indicator stops applying',
			},
			{
				displayName: 'Generate Alert',
				name: 'generateAlert',
				type: 'boolean',
				default: true,
				description:
					'Whether a match raises an alert. Always on for Audit (Microsoft requires it).',
			},
			{
				displayName: 'Recommended Actions',
				name: 'recommendedActions',
				type: 'string',
				default: '',
			},
			{
				displayName: 'Severity',
				name: 'severity',
				type: 'options',
				options: optionsOf(SEVERITIES.filter((value) => value !== 'UnSpecified')),
				default: 'High',
			},
		],
	},
	optionsWithTenant,
];

export const option: OperationOption = {
	name: 'Create',
	description: 'Block, warn on or allow a hash, IP, domain or URL. Changes state.',
	action: 'Create an indicator',
	toolDescription:
		'Create an indicator that blocks, warns on or allows a hash, IP address, domain or URL (changes state)',
};

export async function execute(
	this: IExecuteFunctions,
	index: number,
): Promise<INodeExecutionData[]> {
	const fail = (message: string) =>
		new NodeOperationError(this.getNode(), message, { itemIndex: index });
	const value = String(this.getNodeParameter('indicatorValue', index, '')).trim();
	if (value === '')
		throw fail('Value is empty. Enter the hash, IP address, domain or URL to act on.');
	const chosen = this.getNodeParameter('indicatorType', index, 'auto') as IndicatorType | 'auto';
	const type = chosen === 'auto' ? inferIndicatorType(value) : chosen;
	if (!type) {
		throw fail(
			`Value ${quoted(value)} is not a SHA-1, SHA-256 or MD5 hash, an IP address, a URL (http/https) or a domain. Fix the value or pick its Type.`,
		);
	}
	if (!isValidIndicator(type, value))
		throw fail(
			`Value ${quoted(value)} is not a valid ${labelOf(type)}. Fix the value or pick another Type.`,
		);
	const saved = this.getNodeParameter('action', index, 'Block') as string;
	const action = RETIRED_INDICATOR_ACTIONS[saved] ?? saved;
	if (!(INDICATOR_CREATE_ACTIONS as readonly string[]).includes(action))
		throw fail(
			`Action ${quoted(saved)} is not valid. Use one of: ${INDICATOR_CREATE_ACTIONS.join(', ')}.`,
		);
	const title = String(this.getNodeParameter('title', index, '')).trim();
	const descriptionText = String(this.getNodeParameter('description', index, '')).trim();
	if (title === '' || descriptionText === '')
		throw fail('Title and Description are required by Defender for every indicator.');
	const additional = this.getNodeParameter('additionalFields', index, {}) as IDataObject;
	const body: IDataObject = {
		indicatorValue:
			/^[0-9a-f]+$/i.test(value) && type.startsWith('File') ? value.toLowerCase() : value,
		indicatorType: type,
		action,
		title,
		description: descriptionText,
	};
	if (additional.expirationTime) {
		body.expirationTime = isoDateTime(additional.expirationTime, 'Expiration');
	}
	for (const key of ['generateAlert', 'recommendedActions', 'severity']) {
		if (additional[key] !== undefined && additional[key] !== '') body[key] = additional[key];
	}
	// post-ti-indicator.md: generateAlert must be true for Audit; Cortex XSOAR's MicrosoftDefenderAdvancedThreatProtection
	// sends it with every indicator. A retired Alert/AlertAndBlock meant an alert too.
	if (action === 'Audit' || action !== saved) {
		if (additional.generateAlert === false)
			throw fail(
				`Generate Alert is off, but ${action !== saved ? `Action ${quoted(saved)} (sent as ${action}) raises an alert` : 'Microsoft requires it on for Action Audit'}. Turn Generate Alert on, or pick Action Block or Allowed.`,
			);
		body.generateAlert = true;
	}
	const indicator = await defenderApiRequest.call(this, endpointSessionFor(this, index), {
		method: 'POST',
		path: '/api/indicators',
		body,
		quota: 'endpoint',
		permission: 'Ti.ReadWrite.All',
	});
	const output =
		action === saved
			? indicator
			: {
					...indicator,
					notice: `Action ${saved} was retired by Microsoft in January 2022: sent as ${action} with Generate Alert on. Pick ${action} in the node to keep this behaviour.`,
				};
	return this.helpers.constructExecutionMetaData(this.helpers.returnJsonArray(output), {
		itemData: { item: index },
	});
}
