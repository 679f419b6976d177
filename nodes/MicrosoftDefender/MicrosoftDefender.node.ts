import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import * as huntingQuery from './actions/huntingQuery';
import * as incident from './actions/incident';
import { microsoftDefenderApiTest, searchIncidents } from './actions/methods';
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
		description: 'Triage and update Microsoft Defender XDR incidents and run advanced hunting queries',
		defaults: { name: 'Microsoft Defender' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'microsoftDefenderApi', required: true, testedBy: 'microsoftDefenderApiTest' }],
		properties: [
			apiSelector,
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Advanced Hunting', value: 'huntingQuery' },
					{ name: 'Incident', value: 'incident' },
				],
				default: 'incident',
			},
			...incident.description,
			...huntingQuery.description,
		],
	};

	methods = {
		credentialTest: { microsoftDefenderApiTest },
		listSearch: { searchIncidents },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
