import type { IDataObject, ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { buildIncidentQuery, incidentListRequest } from '../helpers/incidentRequests';
import { odataString } from '../helpers/odata';
import { simplifyIncident } from '../helpers/incidents';
import type { ApiName } from '../transport/cloud';
import { listPages } from '../transport/paging';

const SEARCH_PAGE = 50;

/** "From list" of the Incident field: recent incidents, newest first, filtered by title or ID. */
export async function searchIncidents(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	const api = this.getCurrentNodeParameter('api') as ApiName;
	const options = (this.getCurrentNodeParameter('options') ?? {}) as IDataObject;
	const tenantId = typeof options.tenantId === 'string' && options.tenantId.trim() !== '' ? options.tenantId.trim() : undefined;
	const needle = (filter ?? '').trim().toLowerCase();
	const query = buildIncidentQuery(api, {});
	const results: INodeListSearchResult['results'] = [];
	for await (const page of listPages.call(this, { api, tenantId }, incidentListRequest(api, query.filter, false), { wanted: needle ? undefined : SEARCH_PAGE })) {
		for (const incident of page) {
			const { id, title, severity, portalUrl } = simplifyIncident(api, incident);
			const name = `#${id} ${title ?? ''} (${severity ?? 'unknown severity'})`;
			if (needle && !name.toLowerCase().includes(needle)) continue;
			results.push({ name, value: String(id), url: typeof portalUrl === 'string' ? portalUrl : undefined });
		}
		if (results.length >= SEARCH_PAGE) break;
	}
	return { results: results.slice(0, SEARCH_PAGE) };
}

/** "From list" of the Device field: devices whose DNS name starts with the search text. */
export async function searchMachines(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	const options = (this.getCurrentNodeParameter('options') ?? {}) as IDataObject;
	const tenantId = typeof options.tenantId === 'string' && options.tenantId.trim() !== '' ? options.tenantId.trim() : undefined;
	const needle = (filter ?? '').trim().toLowerCase();
	const request = {
		method: 'GET' as const,
		path: '/api/machines',
		qs: { $filter: needle ? `startswith(computerDnsName,${odataString(needle)})` : undefined },
		quota: 'endpoint' as const,
		permission: 'Machine.Read.All',
	};
	const results: INodeListSearchResult['results'] = [];
	for await (const page of listPages.call(this, { api: 'endpoint', tenantId }, request, { wanted: SEARCH_PAGE })) {
		for (const machine of page) {
			results.push({ name: `${String(machine.computerDnsName ?? machine.id)} (${String(machine.osPlatform ?? 'unknown OS')}, ${String(machine.healthStatus ?? 'unknown health')})`, value: String(machine.id) });
		}
	}
	return { results };
}
