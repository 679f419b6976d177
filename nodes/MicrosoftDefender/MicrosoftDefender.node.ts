import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { resourceProperties } from './actions/resources';
import { credentialTest, listSearch } from './methods';
import { router } from './actions/router';
import { apiSelector } from './descriptions/common';

export class MicrosoftDefender implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Microsoft Defender',
		name: 'microsoftDefender',
		icon: { light: 'file:microsoftDefender.svg', dark: 'file:microsoftDefender.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description: 'Triage Microsoft Defender XDR incidents and alerts, run advanced hunting, and respond on devices',
		defaults: { name: 'Microsoft Defender' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'microsoftDefenderApi', required: true, testedBy: 'microsoftDefenderApiTest' }],
		properties: [
			// Devices, machine actions and indicators exist only on the Defender for Endpoint API.
			{ ...apiSelector, displayOptions: { show: { resource: ['incident', 'huntingQuery', 'alert'] } } },
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Advanced Hunting', value: 'huntingQuery' },
					{ name: 'Alert', value: 'alert' },
					{ name: 'Device', value: 'machine', description: 'Devices and response actions (isolate, scan, …) on the Defender for Endpoint API' },
					{ name: 'Incident', value: 'incident' },
					{ name: 'Indicator', value: 'indicator', description: 'Custom indicators (block or allow hashes, IPs, domains, URLs)' },
					{ name: 'Machine Action', value: 'machineAction', description: 'Response actions and their outcome' },
				],
				default: 'incident',
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
