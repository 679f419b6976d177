import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { OperationModule, OperationOption } from '../node.type';
import { endpointSessionFor, machineIdFrom } from '../../helpers/parameters';
import { machineIdLocator, optionsWithTenant } from '../../descriptions/common';
import { resolveMachine } from '../../helpers/devices';
import { defenderApiRequest } from '../../transport/request';

/** Add Tag and Remove Tag differ only in the action sent. */
export function tagOperation(action: 'Add' | 'Remove', option: OperationOption): OperationModule {
	const properties: INodeProperties[] = [
		machineIdLocator,
		{
			displayName: 'Tag',
			name: 'tag',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'e.g. isolated-by-n8n',
		},
		optionsWithTenant,
	];

	async function execute(this: IExecuteFunctions, index: number): Promise<INodeExecutionData[]> {
		const session = endpointSessionFor(this, index);
		const tag = String(this.getNodeParameter('tag', index, '')).trim();
		if (tag === '')
			throw new NodeOperationError(
				this.getNode(),
				'Tag is empty. Enter the device tag to add or remove.',
				{ itemIndex: index },
			);
		const machine = await resolveMachine.call(this, session, machineIdFrom(this, index));
		const record = await defenderApiRequest.call(this, session, {
			method: 'POST',
			path: `/api/machines/${encodeURIComponent(machine.id)}/tags`,
			body: { Value: tag, Action: action },
			quota: 'endpoint',
			permission: 'Machine.ReadWrite.All',
			notFoundMessage: `Device ${machine.computerDnsName ?? machine.id} not found.`,
		});
		return this.helpers.constructExecutionMetaData(this.helpers.returnJsonArray(record), {
			itemData: { item: index },
		});
	}

	return { option, properties, execute };
}
