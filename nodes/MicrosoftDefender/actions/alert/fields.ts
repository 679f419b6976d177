import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { sessionFor } from '../../helpers/parameters';
import { alertApi } from '../../helpers/alerts';
import { isPathSegment, quoted } from '../../helpers/validate';
import type { ApiSession } from '../../transport/request';

export const alertIdField: INodeProperties = {
	displayName: 'Alert ID',
	name: 'alertId',
	type: 'string',
	default: '',
	required: true,
	placeholder: 'e.g. da637551227677560813_-961444813',
	description: 'The alert\'s ID (the same on both APIs)',
};

export function alertIdFrom(context: IExecuteFunctions, index: number): string {
	const id = String(context.getNodeParameter('alertId', index, '')).trim();
	if (!/^[\w.:-]+$/.test(id) || !isPathSegment(id)) {
		throw new NodeOperationError(context.getNode(), `Alert ID ${quoted(id)} is not an alert ID. Use the "id" of an alert (letters, digits, "_" and "-").`, { itemIndex: index });
	}
	return id;
}

/** Alerts of the Defender XDR choice are served by the Defender for Endpoint API. */
export function alertSessionFor(context: IExecuteFunctions, index: number): ApiSession {
	const session = sessionFor(context, index);
	return { ...session, api: alertApi(session.api) };
}

export function alertPermission(session: ApiSession, write: boolean): string {
	if (session.api === 'graph') return write ? 'SecurityAlert.ReadWrite.All' : 'SecurityAlert.Read.All';
	return write ? 'Alert.ReadWrite.All' : 'Alert.Read.All';
}
