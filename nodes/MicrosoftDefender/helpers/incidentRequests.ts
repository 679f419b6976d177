import type { IDataObject } from 'n8n-workflow';

import type { ApiName } from '../transport/cloud';
import { defenderApiRequest, type ApiSession, type DefenderContext } from '../transport/request';

function incidentPath(api: ApiName, id: string): string {
	return api === 'graph' ? `/v1.0/security/incidents/${id}` : `/api/incidents/${id}`;
}

function notFound(session: ApiSession, id: string): string {
	return `Incident ${id} not found${session.tenantId ? ` in tenant ${session.tenantId}` : ''}. Check the ID (the number in the portal URL) and the tenant.`;
}

export async function getIncident(this: DefenderContext, session: ApiSession, id: string, includeAlerts: boolean): Promise<IDataObject> {
	const graph = session.api === 'graph';
	return await defenderApiRequest.call(this, session, {
		method: 'GET',
		path: incidentPath(session.api, id),
		qs: graph && includeAlerts ? { $expand: 'alerts' } : undefined,
		quota: 'incidentRead',
		permission: graph ? 'SecurityIncident.Read.All' : 'Incident.Read.All',
		notFoundMessage: notFound(session, id),
	});
}

/** PATCH with the API's own field names; answers the updated incident. */
export async function patchIncident(this: DefenderContext, session: ApiSession, id: string, body: IDataObject): Promise<IDataObject> {
	const graph = session.api === 'graph';
	return await defenderApiRequest.call(this, session, {
		method: 'PATCH',
		path: incidentPath(session.api, id),
		body,
		quota: 'incidentWrite',
		permission: graph ? 'SecurityIncident.ReadWrite.All' : 'Incident.ReadWrite.All',
		// Without a comment the PATCH sets fields to values: sending it twice changes nothing.
		idempotent: body.comment === undefined,
		notFoundMessage: notFound(session, id),
	});
}

/** Appends a comment; the Defender XDR API takes it in a PATCH, Graph in its comments collection. */
export async function commentOnIncident(this: DefenderContext, session: ApiSession, id: string, comment: string): Promise<IDataObject[]> {
	if (session.api !== 'graph') {
		const incident = await patchIncident.call(this, session, id, { comment });
		return Array.isArray(incident.comments) ? (incident.comments as IDataObject[]) : [];
	}
	const response = await defenderApiRequest.call(this, session, {
		method: 'POST',
		path: `${incidentPath(session.api, id)}/comments`,
		body: { '@odata.type': 'microsoft.graph.security.alertComment', comment },
		quota: 'incidentWrite',
		permission: 'SecurityIncident.ReadWrite.All',
		notFoundMessage: notFound(session, id),
	});
	return Array.isArray(response.value) ? (response.value as IDataObject[]) : [];
}
