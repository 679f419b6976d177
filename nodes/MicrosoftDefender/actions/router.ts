import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import * as alert from './alert';
import * as huntingQuery from './huntingQuery';
import * as incident from './incident';
import * as indicator from './indicator';
import * as machine from './machine';
import * as machineAction from './machineAction';
import { toNodeError } from '../transport/request';

type Operation = { execute: (this: IExecuteFunctions, index: number) => Promise<INodeExecutionData[]> };

const RESOURCES: Record<string, Record<string, Operation>> = {
	incident: { getAll: incident.getAll, get: incident.get, update: incident.update, addComment: incident.addComment },
	huntingQuery: { run: huntingQuery.run },
	alert: { getAll: alert.getAll, get: alert.get, update: alert.update },
	machine: {
		getAll: machine.getAll,
		get: machine.get,
		addTag: machine.addTag,
		removeTag: machine.removeTag,
		isolate: machine.isolate,
		release: machine.release,
		runAntivirusScan: machine.runAntivirusScan,
		restrictAppExecution: machine.restrictAppExecution,
		removeAppRestriction: machine.removeAppRestriction,
		collectInvestigationPackage: machine.collectInvestigationPackage,
		stopAndQuarantineFile: machine.stopAndQuarantineFile,
	},
	machineAction: { getAll: machineAction.getAll, get: machineAction.get, cancel: machineAction.cancel },
	indicator: { getAll: indicator.getAll, create: indicator.create, delete: indicator.delete },
};

/** Runs the chosen operation once per input item; with Continue On Fail a failed item becomes `{ error }`. */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const returnData: INodeExecutionData[] = [];
	for (let index = 0; index < items.length; index++) {
		const resource = this.getNodeParameter('resource', index) as string;
		const operation = this.getNodeParameter('operation', index) as string;
		const handler = RESOURCES[resource]?.[operation];
		if (!handler) {
			throw new NodeOperationError(this.getNode(), `The operation "${operation}" is not supported for resource "${resource}".`, { itemIndex: index });
		}
		try {
			returnData.push(...(await handler.execute.call(this, index)));
		} catch (error) {
			const nodeError = toNodeError(this, error, index);
			if (this.continueOnFail()) {
				returnData.push({ json: { error: nodeError.message, ...(nodeError.description ? { description: nodeError.description } : {}) }, pairedItem: { item: index } });
				continue;
			}
			throw nodeError;
		}
	}
	return [returnData];
}
