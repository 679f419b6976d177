import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import type { OperationModule, OperationOption } from '../node.type';
import { machineIdLocator, optionsWithTenant, returnAllFields } from '../../descriptions/common';
import { resolveMachine } from '../../helpers/devices';
import { endpointSessionFor, machineIdFrom, wantedCount } from '../../helpers/parameters';
import type { QuotaCategory } from '../../transport/quotas';
import { defenderApiRequest } from '../../transport/request';

export interface DeviceListOperation {
	option: OperationOption;
	/** Path after `/api/machines/{id}/`. */
	path: string;
	permission: string;
	quota?: QuotaCategory;
	/** Offer Return All/Limit (the whole list arrives in one answer; Limit keeps the first ones). */
	limited?: boolean;
}

/** Builds the fields and execute() of a list about one device (logged-on users, vulnerabilities, …): one item per entry. */
export function deviceListOperation(spec: DeviceListOperation): OperationModule {
	const properties: INodeProperties[] = [
		machineIdLocator,
		...(spec.limited ? returnAllFields : []),
		optionsWithTenant,
	];

	async function execute(this: IExecuteFunctions, index: number): Promise<INodeExecutionData[]> {
		const session = endpointSessionFor(this, index);
		const machine = await resolveMachine.call(this, session, machineIdFrom(this, index));
		const answer = await defenderApiRequest.call(this, session, {
			method: 'GET',
			path: `/api/machines/${machine.id}/${spec.path}`,
			quota: spec.quota ?? 'endpoint',
			permission: spec.permission,
			notFoundMessage: `Device ${machine.computerDnsName ?? machine.id} not found. Check the device ID or name and the tenant.`,
		});
		const records = Array.isArray(answer.value) ? (answer.value as IDataObject[]) : [];
		const wanted = spec.limited ? wantedCount(this, index) : undefined;
		return this.helpers.constructExecutionMetaData(
			this.helpers.returnJsonArray(wanted === undefined ? records : records.slice(0, wanted)),
			{ itemData: { item: index } },
		);
	}

	return { option: spec.option, properties, execute };
}
