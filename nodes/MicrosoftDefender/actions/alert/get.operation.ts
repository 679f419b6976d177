import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { optionsWithTenant, simplifyField } from '../../descriptions/common';
import { alertPath, simplifyAlert } from '../../helpers/alerts';
import { defenderApiRequest } from '../../transport/request';
import { alertIdField, alertIdFrom, alertPermission, alertSessionFor } from './fields';

const properties: INodeProperties[] = [alertIdField, optionsWithTenant, simplifyField];

export const description = updateDisplayOptions({ show: { resource: ['alert'], operation: ['get'] } }, properties);

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
