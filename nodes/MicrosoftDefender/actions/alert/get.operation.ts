import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import type { OperationOption } from '../node.type';
import { optionsWithTenant, simplifyField } from '../../descriptions/common';
import { alertPath, simplifyAlert } from '../../helpers/alerts';
import { defenderApiRequest } from '../../transport/request';
import { alertIdField, alertIdFrom, alertPermission, alertSessionFor } from './fields';

export const properties: INodeProperties[] = [alertIdField, simplifyField, optionsWithTenant];

export const option: OperationOption = { name: 'Get', description: 'Get an alert by ID', action: 'Get an alert' };

export async function execute(this: IExecuteFunctions, index: number): Promise<INodeExecutionData[]> {
	const session = alertSessionFor(this, index);
	const id = alertIdFrom(this, index);
	const alert = await defenderApiRequest.call(this, session, {
		method: 'GET',
		path: alertPath(session.api, id),
		quota: 'endpoint',
		permission: alertPermission(session, false),
		notFoundMessage: `Alert ${id} not found. Check the ID and the tenant.`,
	});
	const output = this.getNodeParameter('simplify', index, true) ? simplifyAlert(alert) : alert;
	return this.helpers.constructExecutionMetaData(this.helpers.returnJsonArray(output), { itemData: { item: index } });
}
