import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import * as alert from './actions/alert';
import * as huntingQuery from './actions/huntingQuery';
import * as incident from './actions/incident';
import * as indicator from './actions/indicator';
import * as machine from './actions/machine';
import * as machineAction from './actions/machineAction';
import { microsoftDefenderApiTest, searchIncidents, searchMachines } from './actions/methods';
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
			...incident.description,
			...huntingQuery.description,
			...alert.description,
			...machine.description,
			...machineAction.description,
			...indicator.description,
		],
	};

	methods = {
		credentialTest: { microsoftDefenderApiTest },
		listSearch: { searchIncidents, searchMachines },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
