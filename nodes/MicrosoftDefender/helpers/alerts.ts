import type { IDataObject } from 'n8n-workflow';

import { CLASSIFICATIONS, SEVERITIES, determinationOf, isoOrNull, toNodeValue } from './incidents';
import type { ApiName } from '../transport/cloud';
import { defenderApiRequest, type ApiSession, type DefenderContext } from '../transport/request';

export const ALERT_STATUSES = ['New', 'InProgress', 'Resolved'] as const;

/** Alerts live on the Defender for Endpoint API (`/api/alerts`) or on Graph (`alerts_v2`). */
export function alertApi(api: ApiName): ApiName {
	return api === 'graph' ? 'graph' : 'endpoint';
}

export function alertPath(api: ApiName, id?: string): string {
	const base = api === 'graph' ? '/v1.0/security/alerts_v2' : '/api/alerts';
	return id === undefined ? base : `${base}/${encodeURIComponent(id)}`;
}

export function alertPermission(session: ApiSession, write: boolean): string {
	if (session.api === 'graph')
		return write ? 'SecurityAlert.ReadWrite.All' : 'SecurityAlert.Read.All';
	return write ? 'Alert.ReadWrite.All' : 'Alert.Read.All';
}

/**
 * The 404 of an alert. The Defender for Endpoint API holds Defender for Endpoint alerts only
 * (defender-endpoint/api/alerts.md): an Office 365, Identity or Cloud Apps alert ID of an incident is not there.
 */
export function alertNotFound(session: ApiSession, id: string): string {
	return session.api === 'graph'
		? `Alert ${id} not found. Check the ID and the tenant.`
		: `Alert ${id} not found on the Defender for Endpoint API, which holds Defender for Endpoint alerts only. For an Office 365, Identity or Cloud Apps alert set API to Microsoft Graph; otherwise check the ID and the tenant.`;
}

/** Defender for Endpoint lists an alert's evidence only when asked; Graph always does. */
export function evidenceQuery(session: ApiSession, wanted: boolean): { $expand?: string } {
	return wanted && session.api !== 'graph' ? { $expand: 'evidence' } : {};
}

export const ALERT_FIELDS = {
	endpoint: { createdAt: 'alertCreationTime', updatedAt: 'lastUpdateTime' },
	graph: { createdAt: 'createdDateTime', updatedAt: 'lastUpdateDateTime' },
} as const;

export function alertTimeField(api: ApiName, which: 'createdAt' | 'updatedAt'): string {
	return ALERT_FIELDS[api === 'graph' ? 'graph' : 'endpoint'][which];
}

/** The device an alert is about: MDE names it on the alert, Graph in its device evidence. */
function alertDevice(alert: IDataObject): { name: string | null; id: string | null } {
	if (typeof alert.computerDnsName === 'string' || typeof alert.machineId === 'string') {
		return {
			name: (alert.computerDnsName as string) ?? null,
			id: (alert.machineId as string) ?? null,
		};
	}
	const evidence = Array.isArray(alert.evidence) ? (alert.evidence as IDataObject[]) : [];
	const device = evidence.find((item) =>
		String(item['@odata.type'] ?? '').endsWith('deviceEvidence'),
	);
	return {
		name: (device?.deviceDnsName as string | undefined) ?? null,
		id: (device?.mdeDeviceId as string | undefined) ?? null,
	};
}

/** One compact shape for both APIs, in the node's spelling of values (documented in the README). */
export function simplifyAlert(alert: IDataObject): IDataObject {
	const graph = 'createdDateTime' in alert || 'alertWebUrl' in alert;
	const device = alertDevice(alert);
	return {
		id: String(alert.id ?? ''),
		title: (alert.title as string | undefined) ?? null,
		severity: toNodeValue(alert.severity, SEVERITIES),
		status: toNodeValue(alert.status, ALERT_STATUSES),
		classification: toNodeValue(alert.classification, CLASSIFICATIONS),
		determination: determinationOf(alert.determination),
		assignedTo: (alert.assignedTo as string | null | undefined) ?? null,
		incidentId:
			alert.incidentId === undefined || alert.incidentId === null ? null : String(alert.incidentId),
		category: (alert.category as string | undefined) ?? null,
		createdAt: isoOrNull(graph ? alert.createdDateTime : alert.alertCreationTime),
		updatedAt: isoOrNull(graph ? alert.lastUpdateDateTime : alert.lastUpdateTime),
		deviceName: device.name,
		deviceId: device.id,
		portalUrl: (alert.alertWebUrl as string | undefined) ?? null,
	};
}

/**
 * Appends a comment and answers the alert's comments: Graph keeps them in the alert's comments
 * collection; the Defender for Endpoint API takes a comment in the alert's PATCH.
 */
export async function commentOnAlert(
	this: DefenderContext,
	session: ApiSession,
	id: string,
	comment: string,
): Promise<IDataObject[]> {
	const request = {
		quota: 'endpoint' as const,
		permission: alertPermission(session, true),
		notFoundMessage: alertNotFound(session, id),
	};
	if (session.api !== 'graph') {
		const alert = await defenderApiRequest.call(this, session, {
			...request,
			method: 'PATCH',
			path: alertPath(session.api, id),
			body: { comment },
		});
		return Array.isArray(alert.comments) ? (alert.comments as IDataObject[]) : [];
	}
	const response = await defenderApiRequest.call(this, session, {
		...request,
		method: 'POST',
		path: `${alertPath(session.api, id)}/comments`,
		body: { '@odata.type': 'microsoft.graph.security.alertComment', comment },
	});
	return Array.isArray(response.value) ? (response.value as IDataObject[]) : [];
}
