import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { resourceProperties } from './actions/resources';
import { credentialTest, listSearch } from './methods';
import { router } from './actions/router';
import { ENDPOINT_ALERTS_NOTICE, apiSelector } from './descriptions/common';

/** Resource dropdown; n8n's nodes panel titles each group "<name> Actions", hence Action Center, not Machine Action. */
const RESOURCE_OPTIONS = [
	{
		name: 'Action Center',
		value: 'machineAction',
		description: 'Response actions on devices (machine actions) and their outcome',
	},
	{ name: 'Advanced Hunting', value: 'huntingQuery' },
	{ name: 'Alert', value: 'alert' },
	{
		name: 'Device',
		value: 'machine',
		description: 'Devices and response actions (isolate, scan, …) on the Defender for Endpoint API',
	},
	{ name: 'Domain', value: 'domain', description: 'Statistics, alerts and devices of a domain' },
	{ name: 'Exposure Score', value: 'exposureScore' },
	{
		name: 'File',
		value: 'file',
		description: 'What Defender knows of a file hash: details, statistics, devices, alerts',
	},
	{ name: 'Incident', value: 'incident' },
	{
		name: 'Indicator',
		value: 'indicator',
		description: 'Custom indicators (block or allow hashes, IPs, domains, URLs)',
	},
	{ name: 'Investigation', value: 'investigation', description: 'Automated investigations' },
	{ name: 'IP', value: 'ip', description: 'Statistics and alerts of an IP address' },
	{
		name: 'Live Response Library',
		value: 'liveResponseLibrary',
		description: 'Scripts and files that live response can put on and run on devices',
	},
	{
		name: 'Recommendation',
		value: 'recommendation',
		description: 'Security recommendations (vulnerability management)',
	},
	{
		name: 'Software',
		value: 'software',
		description: 'Software inventory (vulnerability management)',
	},
	{
		name: 'User',
		value: 'user',
		description:
			'Accounts: the devices they logged on to, and identity response (disable, enable, reset password, revoke sessions, …)',
	},
	{
		name: 'Vulnerability',
		value: 'vulnerability',
		description: 'Vulnerabilities (CVEs) in your organisation',
	},
];

export class MicrosoftDefender implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Microsoft Defender',
		name: 'microsoftDefender',
		icon: { light: 'file:microsoftDefender.svg', dark: 'file:microsoftDefender.dark.svg' },
		group: ['transform'],
		// 1.1: Run Live Response takes one group per command type (version 1 keeps its typed list). New nodes
		// get the highest version. No defaultVersion: n8n adds "Custom API Call" to Resource and Operation
		// only when a node has none (or it equals `version`).
		version: [1, 1.1],
		// The resource as the dropdown names it (Device, not machine). A plain string, as n8n's lint requires;
		// a unit test keeps its names equal to RESOURCE_OPTIONS.
		subtitle:
			'={{$parameter["operation"] + ": " + ({"machineAction":"Action Center","huntingQuery":"Advanced Hunting","alert":"Alert","machine":"Device","domain":"Domain","exposureScore":"Exposure Score","file":"File","incident":"Incident","indicator":"Indicator","investigation":"Investigation","ip":"IP","liveResponseLibrary":"Live Response Library","recommendation":"Recommendation","software":"Software","user":"User","vulnerability":"Vulnerability"}[$parameter["resource"]] ?? $parameter["resource"])}}',
		description:
			'Triage Microsoft Defender XDR incidents and alerts, run advanced hunting, and respond on devices',
		defaults: { name: 'Microsoft Defender' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'microsoftDefenderApi', required: true, testedBy: 'microsoftDefenderApiTest' },
		],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: RESOURCE_OPTIONS,
				default: 'incident',
			},
			// After Resource, so that fields do not jump when it hides: the other resources exist only on the Defender for Endpoint API.
			{
				...apiSelector,
				displayOptions: { show: { resource: ['incident', 'huntingQuery', 'alert'] } },
			},
			{
				displayName: ENDPOINT_ALERTS_NOTICE,
				name: 'endpointAlertsNotice',
				type: 'notice',
				default: '',
				displayOptions: { show: { resource: ['alert'], api: ['defenderXdr'] } },
			},
			...resourceProperties(),
		],
	};

	methods = {
		credentialTest,
		listSearch,
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
