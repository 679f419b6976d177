import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { OperationModule, OperationOption } from '../node.type';
import { endpointSessionFor, machineIdFrom } from '../../helpers/parameters';
import { machineIdLocator, requestTimeoutOption, tenantIdOption } from '../../descriptions/common';
import { requestResponseAction, resolveMachine, waitForAction } from '../../helpers/devices';
import { MAX_WAIT_TIMEOUT_SECONDS, waitTimeoutMs } from '../../helpers/validate';

export interface ResponseActionOperation {
	option: OperationOption;
	/** Path after `/api/machines/{id}/`. */
	path: string;
	/** The machine action `type` Defender records, e.g. `Isolate`. */
	type: string;
	label: string;
	permission: string;
	/** Fields of this action besides the comment (e.g. isolation type), with how they go into the body. */
	fields?: INodeProperties[];
	body?: (context: IExecuteFunctions, index: number) => IDataObject;
}

const DEFAULT_COMMENT = '={{ "n8n workflow \\"" + $workflow.name + "\\", execution " + $execution.id }}';

/** Builds the fields and execute() of one response action (isolate, scan, …); every action shares them. */
export function responseActionOperation(spec: ResponseActionOperation): OperationModule {
	const properties: INodeProperties[] = [
		machineIdLocator,
		...(spec.fields ?? []),
		{
			displayName: 'Comment',
			name: 'comment',
			type: 'string',
			default: DEFAULT_COMMENT,
			required: true,
			description: 'Reason recorded with the action in Defender (required). By default it names this workflow and execution.',
		},
		{
			displayName: 'Wait for Completion',
			name: 'waitForCompletion',
			type: 'boolean',
			default: false,
			description:
				'Whether to wait until the device has carried out the action and output its final state. Failed, TimeOut and Cancelled actions and a wait timeout are errors for the item. Off: output the Pending action at once.',
		},
		{
			displayName: 'Wait Timeout (Seconds)',
			name: 'waitTimeout',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: MAX_WAIT_TIMEOUT_SECONDS },
			default: 600,
			description: 'How long to wait for the action to finish, 1 to 86,400 (24 hours); it keeps running in Defender after that',
			displayOptions: { show: { waitForCompletion: [true] } },
		},
		{
			displayName: 'Options',
			name: 'options',
			type: 'collection',
			placeholder: 'Add Option',
			default: {},
			options: [
				{
					displayName: 'If Action Already Running',
					name: 'ifRunning',
					type: 'options',
					options: [
						{ name: 'Fail', value: 'fail', description: 'Error for this item, naming the running action' },
						{ name: 'Return Running Action', value: 'returnRunning', description: 'Output (or wait for) the action that is already running' },
					],
					default: 'fail',
				},
				requestTimeoutOption,
				tenantIdOption,
			],
		},
	];

	async function execute(this: IExecuteFunctions, index: number): Promise<INodeExecutionData[]> {
		const session = endpointSessionFor(this, index);
		const comment = String(this.getNodeParameter('comment', index, '')).trim();
		if (comment === '') {
			throw new NodeOperationError(this.getNode(), 'Comment is empty. Defender requires a reason for every response action.', { itemIndex: index });
		}
		const body = { Comment: comment, ...(spec.body?.(this, index) ?? {}) };
		const waitMs = this.getNodeParameter('waitForCompletion', index, false) ? waitTimeoutMs(this.getNodeParameter('waitTimeout', index, 600)) : undefined;
		const machine = await resolveMachine.call(this, session, machineIdFrom(this, index));
		const returnRunning = this.getNodeParameter('options.ifRunning', index, 'fail') === 'returnRunning';
		let action = await requestResponseAction.call(this, session, machine, { path: spec.path, type: spec.type, label: spec.label, permission: spec.permission, body }, returnRunning);
		if (waitMs !== undefined) action = await waitForAction.call(this, session, action, waitMs);
		return this.helpers.constructExecutionMetaData(this.helpers.returnJsonArray(action), { itemData: { item: index } });
	}

	return { option: spec.option, properties, execute };
}
