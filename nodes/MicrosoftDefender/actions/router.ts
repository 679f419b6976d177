import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { operationFor } from './resources';
import { quoted } from '../helpers/validate';
import { PartialResultError } from '../transport/errors';
import { toNodeError } from '../transport/request';

/**
 * Runs the chosen operation once per input item; with Continue On Fail a failed item becomes `{ error }`,
 * beside what completed before the failure when the operation hands that over (PartialResultError).
 */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const returnData: INodeExecutionData[] = [];
	for (let index = 0; index < items.length; index++) {
		const resource = this.getNodeParameter('resource', index) as string;
		const operation = this.getNodeParameter('operation', index) as string;
		const handler = operationFor(resource, operation);
		if (!handler) {
			throw new NodeOperationError(
				this.getNode(),
				`The operation ${quoted(operation)} is not supported for resource ${quoted(resource)}.`,
				{ itemIndex: index },
			);
		}
		try {
			for (const item of await handler.execute.call(this, index)) {
				// OData's metadata link says nothing to a workflow; records start with their own fields.
				delete item.json['@odata.context'];
				returnData.push(item);
			}
		} catch (error) {
			const nodeError = toNodeError(this, error, index);
			if (this.continueOnFail()) {
				const partial = nodeError instanceof PartialResultError ? nodeError.partial : undefined;
				returnData.push({
					json: {
						...partial?.json,
						error: nodeError.message,
						...(nodeError.description ? { description: nodeError.description } : {}),
					},
					...(partial?.binary ? { binary: partial.binary } : {}),
					pairedItem: { item: index },
				});
				continue;
			}
			throw nodeError;
		}
	}
	return [returnData];
}
