import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { alertApi } from './alerts';
import { isPathSegment, limitOf, quoted, requestTimeoutMs } from './validate';
import type { ApiName } from '../transport/cloud';
import type { ApiSession } from '../transport/request';

/** The Tenant ID option: undefined when empty, i.e. the credential's tenant. */
export function tenantIdOf(value: unknown): string | undefined {
	return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** The API, tenant, timeout and item an operation runs for. */
export function sessionFor(
	context: IExecuteFunctions,
	itemIndex: number,
	api = context.getNodeParameter('api', itemIndex) as ApiName,
): ApiSession {
	const timeoutMs = requestTimeoutMs(context.getNodeParameter('options.timeout', itemIndex, 0));
	return {
		api,
		tenantId: tenantIdOf(context.getNodeParameter('options.tenantId', itemIndex, '')),
		itemIndex,
		timeoutMs,
	};
}

/**
 * The ID a resource locator holds, whatever its mode (a URL is reduced to the ID by the mode's
 * extractValue). Workflows saved before the field became a locator hold a plain string: n8n hands it
 * over unchanged, so it is read the same way.
 */
export function locatorValue(context: IExecuteFunctions, name: string, itemIndex: number): string {
	return String(context.getNodeParameter(name, itemIndex, '', { extractValue: true }) ?? '').trim();
}

/** The incident ID from the resource locator, checked to be a number before any call. */
export function incidentIdFrom(context: IExecuteFunctions, itemIndex: number): string {
	const value = locatorValue(context, 'incidentId', itemIndex);
	if (!/^\d+$/.test(value)) {
		throw new NodeOperationError(
			context.getNode(),
			`Incident ${quoted(value)} is not an incident ID. Enter the number shown in the Defender portal (e.g. 1234), pick one from the list, or paste its portal URL.`,
			{
				itemIndex,
			},
		);
	}
	return value;
}

/** Devices, machine actions and indicators exist only on the Defender for Endpoint API. */
export function endpointSessionFor(context: IExecuteFunctions, itemIndex: number): ApiSession {
	return sessionFor(context, itemIndex, 'endpoint');
}

export function machineIdFrom(context: IExecuteFunctions, itemIndex: number): string {
	return locatorValue(context, 'machineId', itemIndex);
}

/** Alerts of the Defender XDR choice are served by the Defender for Endpoint API. */
export function alertSessionFor(context: IExecuteFunctions, itemIndex: number): ApiSession {
	const session = sessionFor(context, itemIndex);
	return { ...session, api: alertApi(session.api) };
}

export function alertIdFrom(context: IExecuteFunctions, itemIndex: number): string {
	const id = locatorValue(context, 'alertId', itemIndex);
	if (!/^[\w.:-]+$/.test(id) || !isPathSegment(id)) {
		throw new NodeOperationError(
			context.getNode(),
			`Alert ID ${quoted(id)} is not an alert ID. Use the "id" of an alert (letters, digits, "_" and "-").`,
			{ itemIndex },
		);
	}
	return id;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function machineActionIdFrom(context: IExecuteFunctions, itemIndex: number): string {
	const id = locatorValue(context, 'machineActionId', itemIndex);
	if (!GUID.test(id)) {
		throw new NodeOperationError(
			context.getNode(),
			`Machine Action ID ${quoted(id)} is not a machine action ID. Use the GUID in the "id" field of a response action's output.`,
			{ itemIndex },
		);
	}
	return id;
}

export function indicatorIdFrom(context: IExecuteFunctions, itemIndex: number): string {
	const id = locatorValue(context, 'indicatorId', itemIndex);
	if (!/^\d+$/.test(id)) {
		throw new NodeOperationError(
			context.getNode(),
			`Indicator ID ${quoted(id)} is not an indicator ID (a number, the "id" of the indicator).`,
			{ itemIndex },
		);
	}
	return id;
}

/** Returns Return All and Limit as one value: undefined = every page. */
export function wantedCount(context: IExecuteFunctions, itemIndex: number): number | undefined {
	return context.getNodeParameter('returnAll', itemIndex, false)
		? undefined
		: limitOf(context.getNodeParameter('limit', itemIndex, 50));
}
