import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { OperationModule, OperationOption } from './node.type';
import { optionsWithTenant, returnAllFields } from '../descriptions/common';
import { endpointSessionFor, wantedCount } from '../helpers/parameters';
import { listPages } from '../transport/paging';
import type { QuotaCategory } from '../transport/quotas';
import { defenderApiRequest, type ApiSession } from '../transport/request';

/** One Defender for Endpoint GET, worked out from the item's parameters. */
export interface LookupRequest {
	path: string;
	qs?: IDataObject;
	permission: string;
	quota?: QuotaCategory;
	notFoundMessage?: string;
}

export interface LookupOperation {
	option: OperationOption;
	/** The fields naming what to look up (hash, IP, CVE ID, …). */
	fields: INodeProperties[];
	request: (
		this: IExecuteFunctions,
		index: number,
		session: ApiSession,
	) => Promise<LookupRequest> | LookupRequest;
	/**
	 * How the answer becomes items: `record` = one item; `list` = one per entry of `value` (Return
	 * All/Limit cut the one answer); `paged` = an OData list fetched page by page (Return All/Limit).
	 */
	answer: 'record' | 'list' | 'paged';
	/** Largest page the list serves (`paged`). */
	pageSize?: number;
}

/** An error for this item, raised before any call (bad input). */
export function inputError(
	context: IExecuteFunctions,
	index: number,
	message: string,
): NodeOperationError {
	return new NodeOperationError(context.getNode(), message, { itemIndex: index });
}

/** Builds the fields and execute() of a read-only Defender for Endpoint lookup (file, IP, CVE, software, …). */
export function lookupOperation(spec: LookupOperation): OperationModule {
	// Return All and Limit come before Filters, as on every other Get Many (and in n8n's own nodes).
	const properties: INodeProperties[] = [
		...spec.fields.filter((field) => field.name !== 'filters'),
		...(spec.answer === 'record' ? [] : returnAllFields),
		...spec.fields.filter((field) => field.name === 'filters'),
		optionsWithTenant,
	];

	async function execute(this: IExecuteFunctions, index: number): Promise<INodeExecutionData[]> {
		const session = endpointSessionFor(this, index);
		const request = await spec.request.call(this, index, session);
		const apiRequest = {
			method: 'GET' as const,
			path: request.path,
			qs: request.qs,
			permission: request.permission,
			quota: request.quota ?? ('endpoint' as const),
			notFoundMessage: request.notFoundMessage,
		};
		let records: IDataObject[];
		if (spec.answer === 'paged') {
			records = [];
			for await (const page of listPages.call(this, session, apiRequest, {
				wanted: wantedCount(this, index),
				pageSize: spec.pageSize,
			}))
				records.push(...page);
		} else {
			const answer = await defenderApiRequest.call(this, session, apiRequest);
			if (spec.answer === 'record') {
				delete answer['@odata.context'];
				records = [answer];
			} else {
				const wanted = wantedCount(this, index);
				const value = Array.isArray(answer.value) ? (answer.value as IDataObject[]) : [];
				records = wanted === undefined ? value : value.slice(0, wanted);
			}
		}
		return this.helpers.constructExecutionMetaData(this.helpers.returnJsonArray(records), {
			itemData: { item: index },
		});
	}

	return { option: spec.option, properties, execute };
}

/** The look-back of file, IP and domain statistics: Defender counts at most the last 30 days. */
export const lookBackHoursField: INodeProperties = {
	displayName: 'Look Back (Hours)',
	name: 'lookBackHours',
	type: 'number',
	typeOptions: { minValue: 1, maxValue: 720 },
	default: 720,
	description: 'How far back the statistics count; at most 720 hours (30 days)',
};

export function lookBackHoursFrom(context: IExecuteFunctions, index: number): number {
	const hours = Number(context.getNodeParameter('lookBackHours', index, 720));
	if (!Number.isInteger(hours) || hours < 1 || hours > 720)
		throw inputError(
			context,
			index,
			`Look Back (Hours) is ${hours}. Enter a whole number from 1 to 720 (30 days).`,
		);
	return hours;
}
