import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { OperationOption } from '../node.type';
import {
	alertIdLocator,
	entityTypesField,
	groupByKindOption,
	optionsCollection,
	requestTimeoutOption,
	tenantIdOption,
} from '../../descriptions/common';
import { alertNotFound, alertPath, alertPermission, evidenceQuery } from '../../helpers/alerts';
import { entitiesOfAlerts } from '../../helpers/entities';
import { entityItems, inputRecord } from '../../helpers/entityOutput';
import { alertIdFrom, alertSessionFor } from '../../helpers/parameters';
import { defenderApiRequest } from '../../transport/request';

export const properties: INodeProperties[] = [
	{
		displayName: 'Source',
		name: 'entitySource',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Alert', value: 'alert', description: 'Download the alert with its evidence' },
			{
				name: 'Input Item',
				value: 'input',
				description:
					'The alert in the input item (from Get, Get Many or the trigger). With Simplify off nothing is downloaded; otherwise its ID is used.',
			},
		],
		default: 'alert',
	},
	{ ...alertIdLocator, displayOptions: { show: { entitySource: ['alert'] } } },
	entityTypesField,
	optionsCollection([groupByKindOption, requestTimeoutOption, tenantIdOption]),
];

export const option: OperationOption = {
	name: 'Get Entities',
	description: 'Device, users, files, IPs, URLs and more of an alert, one item each',
	action: 'Get the entities of an alert',
	toolDescription:
		'Get the entities of an alert: devices, users, files, processes, IPs, URLs, mailboxes…, one item each',
};

const EVIDENCE_KEYS = ['evidence', 'entities', 'devices'];

export async function execute(
	this: IExecuteFunctions,
	index: number,
): Promise<INodeExecutionData[]> {
	const session = alertSessionFor(this, index);
	let alert: IDataObject | undefined;
	let id: string;
	if (this.getNodeParameter('entitySource', index, 'alert') === 'input') {
		const record = inputRecord(this, index);
		const value = record.alertId ?? record.id;
		id = typeof value === 'string' ? value.trim() : '';
		if (EVIDENCE_KEYS.some((key) => Array.isArray(record[key]))) alert = record;
		else if (!/^[\w.:-]+$/.test(id)) {
			throw new NodeOperationError(
				this.getNode(),
				'The input item is not an alert: it has neither evidence nor an alert ID.',
				{
					itemIndex: index,
					description:
						'Connect Get, Get Many or the trigger (alerts), or set Source to Alert and map the ID.',
				},
			);
		}
	} else {
		id = alertIdFrom(this, index);
	}
	alert ??= await defenderApiRequest.call(this, session, {
		method: 'GET',
		path: alertPath(session.api, id),
		qs: evidenceQuery(session, true),
		quota: 'endpoint',
		permission: alertPermission(session, false),
		notFoundMessage: alertNotFound(session, id),
	});
	const incidentId =
		alert.incidentId === undefined || alert.incidentId === null ? null : String(alert.incidentId);
	return entityItems(this, index, entitiesOfAlerts([alert], incidentId), incidentId);
}
