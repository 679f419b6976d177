import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import type { OperationOption } from '../node.type';
import { alertIdFrom, alertSessionFor } from '../../helpers/parameters';
import { alertReadOptions, alertSimplifyField, alertIdLocator } from '../../descriptions/common';
import { chatSettings, withChatMessage } from '../../helpers/chatOption';
import {
	alertNotFound,
	alertPath,
	simplifyAlert,
	alertPermission,
	evidenceQuery,
} from '../../helpers/alerts';
import { defenderApiRequest } from '../../transport/request';

export const properties: INodeProperties[] = [alertIdLocator, alertSimplifyField, alertReadOptions];

export const option: OperationOption = {
	name: 'Get',
	description: 'Get an alert by ID',
	action: 'Get an alert',
	toolDescription: 'Get an alert by its ID: title, severity, status, evidence and device',
};

export async function execute(
	this: IExecuteFunctions,
	index: number,
): Promise<INodeExecutionData[]> {
	const session = alertSessionFor(this, index);
	const id = alertIdFrom(this, index);
	const chat = await chatSettings(
		this,
		session,
		this.getNodeParameter('options', index, {}) as IDataObject,
	);
	const alert = await defenderApiRequest.call(this, session, {
		method: 'GET',
		path: alertPath(session.api, id),
		qs: evidenceQuery(session, chat !== undefined),
		quota: 'endpoint',
		permission: alertPermission(session, false),
		notFoundMessage: alertNotFound(session, id),
	});
	const output = withChatMessage(
		chat,
		'alert',
		alert,
		this.getNodeParameter('simplify', index, true) ? simplifyAlert(alert) : alert,
	);
	return this.helpers.constructExecutionMetaData(this.helpers.returnJsonArray(output), {
		itemData: { item: index },
	});
}
