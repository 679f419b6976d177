import type { INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import * as huntingQuery from './huntingQuery';
import * as incident from './incident';
import { apiSelector } from '../descriptions/common';

export const versionDescription: INodeTypeDescription = {
	displayName: 'Microsoft Defender',
	name: 'microsoftDefender',
	icon: 'file:microsoftDefender.svg',
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
