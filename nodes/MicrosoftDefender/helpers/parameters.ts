import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { limitOf, quoted, requestTimeoutMs } from './validate';
import type { ApiName } from '../transport/cloud';
import type { ApiSession } from '../transport/request';

/** The API, tenant, timeout and item an operation runs for. */
export function sessionFor(context: IExecuteFunctions, itemIndex: number, api = context.getNodeParameter('api', itemIndex) as ApiName): ApiSession {
	const tenantId = (context.getNodeParameter('options.tenantId', itemIndex, '') as string).trim();
	const timeoutMs = requestTimeoutMs(context.getNodeParameter('options.timeout', itemIndex, 0));
	return { api, tenantId: tenantId || undefined, itemIndex, timeoutMs };
}

/** The incident ID from the resource locator, checked to be a number before any call. */
export function incidentIdFrom(context: IExecuteFunctions, itemIndex: number): string {
	const value = String(context.getNodeParameter('incidentId', itemIndex, '', { extractValue: true }) ?? '').trim();
	if (!/^\d+$/.test(value)) {
		throw new NodeOperationError(context.getNode(), `Incident ${quoted(value)} is not an incident ID. Enter the number shown in the Defender portal (e.g. 1234), pick one from the list, or paste its portal URL.`, {
			itemIndex,
		});
	}
	return value;
}

/** Devices, machine actions and indicators exist only on the Defender for Endpoint API. */
export function endpointSessionFor(context: IExecuteFunctions, itemIndex: number): ApiSession {
	return sessionFor(context, itemIndex, 'endpoint');
}

export function machineIdFrom(context: IExecuteFunctions, itemIndex: number): string {
	return String(context.getNodeParameter('machineId', itemIndex, '', { extractValue: true }) ?? '').trim();
}

/** Returns Return All and Limit as one value: undefined = every page. */
export function wantedCount(context: IExecuteFunctions, itemIndex: number): number | undefined {
	return context.getNodeParameter('returnAll', itemIndex, false) ? undefined : limitOf(context.getNodeParameter('limit', itemIndex, 50));
}
