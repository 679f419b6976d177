import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import type { OperationOption } from '../node.type';
import { incidentIdFrom, sessionFor } from '../../helpers/parameters';
import {
	chatMessageOptions,
	incidentIdLocator,
	simplifyField,
	requestTimeoutOption,
	tenantIdOption,
	optionsCollection,
} from '../../descriptions/common';
import { alertsNeeded, chatSettings, incidentOutput } from '../../helpers/chatOption';
import { getIncident } from '../../helpers/incidentRequests';
import { simplifyIncident } from '../../helpers/incidents';

export const properties: INodeProperties[] = [
	incidentIdLocator,
	simplifyField,
	optionsCollection([
		{
			displayName: 'Include Alerts',
			name: 'includeAlerts',
			type: 'boolean',
			default: true,
			description: "Whether to include the incident's alerts (with their devices and entities)",
		},
		...chatMessageOptions,
		requestTimeoutOption,
		tenantIdOption,
	]),
];

export const option: OperationOption = {
	name: 'Get',
	description: 'Get an incident by ID',
	action: 'Get an incident',
	toolDescription:
		'Get an incident by its ID: title, severity, status, assignee, alerts and devices',
};

export async function execute(
	this: IExecuteFunctions,
	index: number,
): Promise<INodeExecutionData[]> {
	const session = sessionFor(this, index);
	const id = incidentIdFrom(this, index);
	const includeAlerts = this.getNodeParameter('options.includeAlerts', index, true) as boolean;
	const chat = await chatSettings(
		this,
		session,
		this.getNodeParameter('options', index, {}) as IDataObject,
	);
	const incident = await getIncident.call(this, session, id, alertsNeeded(includeAlerts, chat));
	const simplify = this.getNodeParameter('simplify', index, true) as boolean;
	const output = incidentOutput(chat, incident, includeAlerts, (record) =>
		simplify ? simplifyIncident(session.api, record) : record,
	);
	return this.helpers.constructExecutionMetaData(this.helpers.returnJsonArray(output), {
		itemData: { item: index },
	});
}
