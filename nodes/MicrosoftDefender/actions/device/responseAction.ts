import type {
	IBinaryKeyData,
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { OperationModule, OperationOption } from '../node.type';
import { endpointSessionFor, machineIdFrom } from '../../helpers/parameters';
import {
	machineIdLocator,
	requestTimeoutOption,
	tenantIdOption,
	optionsCollection,
} from '../../descriptions/common';
import { requestResponseAction, resolveMachine, waitForAction } from '../../helpers/devices';
import { MAX_WAIT_TIMEOUT_SECONDS, waitTimeoutMs } from '../../helpers/validate';
import type { QuotaCategory } from '../../transport/quotas';
import type { ApiSession } from '../../transport/request';

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
	/** A notice shown while Wait for Completion is off (what the Pending action lacks). */
	noWaitNotice?: string;
	/** Fields shown once Wait for Completion is on (what to do with the finished action). */
	afterWaitFields?: INodeProperties[];
	/** Turns the finished action into the output (e.g. with downloaded results); only called after a wait. */
	finish?: (
		this: IExecuteFunctions,
		index: number,
		session: ApiSession,
		action: IDataObject,
		/** The action as the Simplify setting shapes it. */
		shape: (action: IDataObject) => IDataObject,
	) => Promise<{ json: IDataObject; binary?: IBinaryKeyData }>;
	/** Explains a Failed outcome from the final action. */
	failureDetail?: (action: IDataObject) => string;
	/** Checks made before the request is sent that need the API (e.g. the library holds the scripts). */
	beforeSend?: (
		this: IExecuteFunctions,
		index: number,
		session: ApiSession,
		body: IDataObject,
	) => Promise<void>;
	/** After a wait that did not succeed: the error to throw, e.g. with what completed before the failure. */
	onFailure?: (
		this: IExecuteFunctions,
		index: number,
		session: ApiSession,
		action: IDataObject,
		error: NodeOperationError,
	) => Promise<NodeOperationError>;
	quota?: QuotaCategory;
	busyHint?: string;
	/** Leave out "If Action Already Running": the running request is someone else's session. */
	noReturnRunning?: boolean;
}

export const DEFAULT_COMMENT =
	'={{ "n8n workflow \\"" + $workflow.name + "\\", execution " + $execution.id }}';

const ifRunningOption: INodeProperties = {
	displayName: 'If Action Already Running',
	name: 'ifRunning',
	type: 'options',
	options: [
		{ name: 'Fail', value: 'fail', description: 'Error for this item, naming the running action' },
		{
			name: 'Return Running Action',
			value: 'returnRunning',
			description: 'Output (or wait for) the action that is already running',
		},
	],
	default: 'fail',
};

const actionSimplifyField: INodeProperties = {
	displayName: 'Simplify',
	name: 'simplify',
	type: 'boolean',
	default: true,
	description:
		'Whether to return a compact action (ID, type, status, device, requestor, comment, times, and the file or scope it concerns) instead of the full record',
};

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
			description:
				'Reason recorded with the action in Defender (required). By default it names this workflow and execution.',
		},
		{
			displayName: 'Wait for Completion',
			name: 'waitForCompletion',
			type: 'boolean',
			default: false,
			description:
				'Whether to wait until the device has carried out the action and output its final state. Failed, TimeOut and Cancelled actions and a wait timeout are errors for the item. Off: output the Pending action at once.',
		},
		...(spec.noWaitNotice
			? [
					{
						displayName: spec.noWaitNotice,
						name: 'noWaitNotice',
						type: 'notice',
						default: '',
						displayOptions: { show: { waitForCompletion: [false] } },
					} satisfies INodeProperties,
				]
			: []),
		{
			displayName: 'Max Wait for Completion (Seconds)',
			name: 'waitTimeout',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: MAX_WAIT_TIMEOUT_SECONDS },
			default: 600,
			description:
				'How long to wait for the action to finish, 1 to 86,400 (24 hours); it keeps running in Defender after that',
			displayOptions: { show: { waitForCompletion: [true] } },
		},
		// Node version 1 output the full action; 1.1 starts with Simplify on, like Incident and Alert.
		{ ...actionSimplifyField, default: false, displayOptions: { show: { '@version': [1] } } },
		{ ...actionSimplifyField, default: true, displayOptions: { show: { '@version': [1.1] } } },
		...(spec.afterWaitFields ?? []).map((field) => ({
			...field,
			displayOptions: { show: { ...field.displayOptions?.show, waitForCompletion: [true] } },
		})),
		optionsCollection([
			...(spec.noReturnRunning ? [] : [ifRunningOption]),
			requestTimeoutOption,
			tenantIdOption,
		]),
	];

	async function execute(this: IExecuteFunctions, index: number): Promise<INodeExecutionData[]> {
		const session = endpointSessionFor(this, index);
		const comment = String(this.getNodeParameter('comment', index, '')).trim();
		if (comment === '') {
			throw new NodeOperationError(
				this.getNode(),
				'Comment is empty. Defender requires a reason for every response action.',
				{ itemIndex: index },
			);
		}
		const body = { Comment: comment, ...(spec.body?.(this, index) ?? {}) };
		const waitMs = this.getNodeParameter('waitForCompletion', index, false)
			? waitTimeoutMs(this.getNodeParameter('waitTimeout', index, 600))
			: undefined;
		await spec.beforeSend?.call(this, index, session, body);
		const machine = await resolveMachine.call(this, session, machineIdFrom(this, index));
		const returnRunning =
			!spec.noReturnRunning &&
			this.getNodeParameter('options.ifRunning', index, 'fail') === 'returnRunning';
		let action = await requestResponseAction.call(
			this,
			session,
			machine,
			{
				path: spec.path,
				type: spec.type,
				label: spec.label,
				permission: spec.permission,
				body,
				quota: spec.quota,
				busyHint: spec.busyHint,
			},
			returnRunning,
		);
		const simplify = this.getNodeParameter('simplify', index, false) === true;
		const shape = (record: IDataObject) => (simplify ? simplifyMachineAction(record) : record);
		if (waitMs === undefined)
			return this.helpers.constructExecutionMetaData(this.helpers.returnJsonArray(shape(action)), {
				itemData: { item: index },
			});
		const onFailure = spec.onFailure;
		action = await waitForAction.call(
			this,
			session,
			action,
			waitMs,
			spec.failureDetail,
			onFailure
				? async (failed, error) => await onFailure.call(this, index, session, failed, error)
				: undefined,
		);
		const output = spec.finish
			? await spec.finish.call(this, index, session, action, shape)
			: { json: shape(action) };
		return [{ ...output, pairedItem: { item: index } }];
	}

	return { option: spec.option, properties, execute };
}

/** Fields of a machine action that Simplify keeps, under the API's own names. */
const SIMPLE_ACTION_FIELDS = [
	'id',
	'type',
	'status',
	'machineId',
	'computerDnsName',
	'requestor',
	'requestorComment',
	'creationDateTimeUtc',
	'lastUpdateDateTimeUtc',
	// The spelling Microsoft's list examples show (see waitForAction).
	'lastUpdateTimeUtc',
	'scope',
	'relatedFileInfo',
];

/** A compact machine action: the fields a workflow acts on, those the action left empty left out. */
export function simplifyMachineAction(action: IDataObject): IDataObject {
	return Object.fromEntries(
		SIMPLE_ACTION_FIELDS.filter(
			(field) => action[field] !== undefined && action[field] !== null && action[field] !== '',
		).map((field) => [field, action[field]]),
	);
}
