import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { OperationOption } from '../node.type';
import {
	entityTypesField,
	groupByKindOption,
	incidentIdLocator,
	optionsCollection,
	requestTimeoutOption,
	tenantIdOption,
} from '../../descriptions/common';
import { entitiesOfIncident } from '../../helpers/entities';
import { entityItems, inputRecord } from '../../helpers/entityOutput';
import { getIncident } from '../../helpers/incidentRequests';
import { incidentIdFrom, sessionFor } from '../../helpers/parameters';

export const properties: INodeProperties[] = [
	{
		displayName: 'Source',
		name: 'entitySource',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Incident', value: 'incident', description: 'Download the incident with its alerts' },
			{
				name: 'Input Item',
				value: 'input',
				description:
					'The incident in the input item (from Get, Get Many or the trigger). With Simplify off and alerts included nothing is downloaded; otherwise its ID is used.',
			},
		],
		default: 'incident',
	},
	{ ...incidentIdLocator, displayOptions: { show: { entitySource: ['incident'] } } },
	entityTypesField,
	optionsCollection([groupByKindOption, requestTimeoutOption, tenantIdOption]),
];

export const option: OperationOption = {
	name: 'Get Entities',
	description:
		'Devices, users, files, IPs, URLs and more of all alerts of an incident, one item each',
	action: 'Get the entities of an incident',
	toolDescription:
		'Get the entities of an incident: devices, users, files, processes, IPs, URLs, mailboxes…, one item each with the alerts that mention it',
};

/** The incident ID an input item names: an incident's own ID, or the incident of an alert. */
function incidentIdOfItem(record: IDataObject): string {
	const value = record.incidentId ?? record.id;
	return typeof value === 'number' || typeof value === 'string' ? String(value).trim() : '';
}

export async function execute(
	this: IExecuteFunctions,
	index: number,
): Promise<INodeExecutionData[]> {
	const session = sessionFor(this, index);
	let incident: IDataObject;
	if (this.getNodeParameter('entitySource', index, 'incident') === 'input') {
		const record = inputRecord(this, index);
		const id = incidentIdOfItem(record);
		const complete = Array.isArray(record.alerts);
		if (!complete && !/^\d+$/.test(id)) {
			throw new NodeOperationError(
				this.getNode(),
				'The input item is not an incident: it has neither alerts nor an incident ID.',
				{
					itemIndex: index,
					description:
						'Connect Get, Get Many or the trigger (incidents), or set Source to Incident and map the ID.',
				},
			);
		}
		incident = complete ? record : await getIncident.call(this, session, id, true);
	} else {
		incident = await getIncident.call(this, session, incidentIdFrom(this, index), true);
	}
	const entities = entitiesOfIncident(incident);
	return entityItems(this, index, entities, incidentIdOfItem(incident) || null);
}
