import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { endpointSessionFor, optionsWithTenant } from '../../descriptions/common';
import { getMachineAction } from '../../helpers/machines';
import { machineActionIdField, machineActionIdFrom } from './fields';

const properties: INodeProperties[] = [machineActionIdField, optionsWithTenant];

export const description = updateDisplayOptions({ show: { resource: ['machineAction'], operation: ['get'] } }, properties);

export async function execute(this: IExecuteFunctions, index: number): Promise<INodeExecutionData[]> {
	const action = await getMachineAction.call(this, endpointSessionFor(this, index), machineActionIdFrom(this, index));
	return this.helpers.constructExecutionMetaData(this.helpers.returnJsonArray(action), { itemData: { item: index } });
}
