/**
 * The node against Microsoft's contracts (test/contracts): every option it offers, every value it
 * sends, its page sizes, quotas and permission names must be what Microsoft documents. Values come
 * from the node's own description and modules in dist/, never from a copy. The emulator refuses
 * what the contracts do not list, so the end-to-end walks below fail on a value Microsoft would
 * refuse as well.
 */
import { randomUUID } from 'node:crypto';

import type { INodeParameters, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { MicrosoftDefender } from '../../dist/nodes/MicrosoftDefender/MicrosoftDefender.node';
import {
	determinationFor,
	GRAPH_ONLY_DETERMINATIONS,
	toGraphValue,
} from '../../dist/nodes/MicrosoftDefender/helpers/incidents';
import { RETIRED_INDICATOR_ACTIONS } from '../../dist/nodes/MicrosoftDefender/helpers/indicators';
import { PAGE_SIZE as VULNERABILITY_PAGE } from '../../dist/nodes/MicrosoftDefender/actions/vulnerability/fields';
import { PAGE_SIZE } from '../../dist/nodes/MicrosoftDefender/transport/paging';
import { CAPABILITIES } from '../../dist/nodes/MicrosoftDefender/transport/permissions';
import {
	quotaWindows,
	type QuotaCategory,
} from '../../dist/nodes/MicrosoftDefender/transport/quotas';
import { contracts, graphEnum, isDocumentedTimespan } from '../contracts';
import { createLab, runDefender, stopEmulator, type Lab } from '../support/lab';

type ApiName = 'defenderXdr' | 'endpoint' | 'graph';

/** Asserts that Microsoft's contract lists what the node offers or sends (named by `key`). */
function expectListed(key: string, ok: boolean): void {
	expect({ key, listedByMicrosoft: ok }).toEqual({ key, listedByMicrosoft: true });
}

const contract = contracts() as {
	defenderXdr: { endpoints: ContractRow[] };
	endpoint: { endpoints: ContractRow[] };
	graph: { endpoints: ContractRow[] };
};

interface ContractRow {
	id: string;
	method: string;
	path: string;
	permissions: string[];
	quota: Array<{ limit: number; minutes: number }> | null;
	top: number | boolean | null;
	filter: Record<string, unknown> | null;
	body: {
		members:
			Record<string, { values?: string[]; items?: { type: { values: string[] } } }> | string[];
		type?: string;
		action?: string;
	} | null;
}

function row(api: ApiName, id: string): ContractRow {
	const found = contract[api].endpoints.find((r) => r.id === id);
	if (!found) throw new Error(`No ${id} in the ${api} contract`);
	return found;
}

/** The values Microsoft lists for a body member (Defender tables, or Graph's CSDL enums). */
function memberValues(api: ApiName, id: string, member: string): string[] {
	const body = row(api, id).body;
	if (!body) throw new Error(`${id} takes no body`);
	if (!Array.isArray(body.members)) {
		const spec = body.members[member];
		const values = spec?.values ?? spec?.items?.type.values;
		if (!values) throw new Error(`${id}.${member} lists no values`);
		return values;
	}
	const csdl = contracts().csdl as {
		types: Record<string, { properties: Record<string, string> }>;
		actions: Record<string, { parameters: Array<{ name: string; type: string }> }>;
	};
	const type = body.action
		? csdl.actions[body.action].parameters.find((p) => p.name === member)?.type
		: csdl.types[body.type ?? ''].properties[member];
	if (!type) throw new Error(`${id}.${member} is not in the CSDL cut`);
	return graphEnum(type);
}

function filterValues(api: ApiName, id: string, field: string): string[] | undefined {
	const spec = row(api, id).filter?.[field];
	if (spec === undefined) throw new Error(`${id} documents no $filter on ${field}`);
	if (Array.isArray(spec)) return spec as string[];
	if (typeof spec === 'string' && spec.startsWith('enum:')) return graphEnum(spec.slice(5));
	return undefined;
}

// ---------------------------------------------------------------------------------------------
// The node's options, read from its description as n8n shows them.

interface OfferedOption {
	resource: string;
	operation: string;
	/** e.g. `updateFields.determination`, `filters.status`, `isolationType`. */
	path: string;
	values: string[];
}

function offeredOptions(): OfferedOption[] {
	const found: OfferedOption[] = [];
	const walk = (property: INodeProperties, resource: string, operation: string, prefix: string) => {
		const show = property.displayOptions?.show ?? {};
		const res = (show.resource as string[] | undefined)?.join('|') ?? resource;
		const op = (show.operation as string[] | undefined)?.join('|') ?? operation;
		if (['resource', 'operation', 'api'].includes(property.name)) return;
		if ((property.type === 'options' || property.type === 'multiOptions') && property.options) {
			const values = (property.options as INodePropertyOptions[]).map((o) => String(o.value));
			found.push({ resource: res, operation: op, path: `${prefix}${property.name}`, values });
		}
		if (property.type === 'collection' && property.options)
			for (const inner of property.options as INodeProperties[])
				walk(inner, res, op, `${prefix}${property.name}.`);
		if (property.type === 'fixedCollection' && property.options)
			for (const group of property.options as Array<{ name: string; values: INodeProperties[] }>)
				for (const inner of group.values)
					walk(inner, res, op, `${prefix}${property.name}.${group.name}.`);
	};
	for (const property of new MicrosoftDefender().description.properties)
		walk(property, '*', '*', '');
	return found;
}

/** How the node spells a value it offers when it sends it (its own functions, from dist/). */
type Spelling = (value: string) => string;
const same: Spelling = (value) => value;
const graph: Spelling = (value) => toGraphValue(value);
const commandType: Spelling = (value) => value.charAt(0).toUpperCase() + value.slice(1);
const determination =
	(api: ApiName): Spelling =>
	(value) =>
		determinationFor(api, value);
const indicatorAction: Spelling = (value) => RETIRED_INDICATOR_ACTIONS[value] ?? value;

/** Values the node refuses before sending them to this API (the end-to-end walk checks nothing is sent). */
function refusedByNode(target: Target, value: string): boolean {
	return (
		target.field === 'determination' &&
		target.api !== 'graph' &&
		(GRAPH_ONLY_DETERMINATIONS as readonly string[]).includes(value)
	);
}

interface Target {
	api: ApiName;
	endpoint: string;
	kind: 'body' | 'filter';
	field: string;
	spelling: Spelling;
}

const update = (endpoint: string, xdrApi: ApiName, field: string): Target[] => [
	{
		api: xdrApi,
		endpoint,
		kind: 'body',
		field,
		spelling: field === 'determination' ? determination(xdrApi) : same,
	},
	{
		api: 'graph',
		endpoint,
		kind: 'body',
		field,
		spelling: field === 'determination' ? determination('graph') : graph,
	},
];
const listFilter = (endpoint: string, xdrApi: ApiName, field: string): Target[] => [
	{ api: xdrApi, endpoint, kind: 'filter', field, spelling: same },
	{ api: 'graph', endpoint, kind: 'filter', field, spelling: graph },
];
const mde = (
	endpoint: string,
	kind: 'body' | 'filter',
	field: string,
	spelling = same,
): Target[] => [{ api: 'endpoint', endpoint, kind, field, spelling }];

/** Where each option the node offers ends up at Microsoft (`resource/operation/path`). */
const SENT: Record<string, Target[]> = {
	'incident/update/updateFields.status': update('incident.update', 'defenderXdr', 'status'),
	'incident/update/updateFields.classification': update(
		'incident.update',
		'defenderXdr',
		'classification',
	),
	'incident/update/updateFields.determination': update(
		'incident.update',
		'defenderXdr',
		'determination',
	),
	'incident/getAll/filters.status': listFilter('incident.list', 'defenderXdr', 'status'),
	'alert/update/updateFields.status': update('alert.update', 'endpoint', 'status'),
	'alert/update/updateFields.classification': update('alert.update', 'endpoint', 'classification'),
	'alert/update/updateFields.determination': update('alert.update', 'endpoint', 'determination'),
	'alert/getAll/filters.status': listFilter('alert.list', 'endpoint', 'status'),
	'alert/getAll/filters.severity': listFilter('alert.list', 'endpoint', 'severity'),
	'machine/getAll/filters.exposureLevel': mde('machine.list', 'filter', 'exposureLevel'),
	'machine/getAll/filters.healthStatus': mde('machine.list', 'filter', 'healthStatus'),
	'machine/getAll/filters.riskScore': mde('machine.list', 'filter', 'riskScore'),
	'machine/isolate/isolationType': mde('machine.isolate', 'body', 'IsolationType'),
	'machine/runAntivirusScan/scanType': mde('machine.runAntiVirusScan', 'body', 'ScanType'),
	'machine/runLiveResponse/commands.command.type': mde(
		'machine.runLiveResponse',
		'body',
		'Commands',
		commandType,
	),
	'machineAction/getAll/filters.status': mde('machineAction.list', 'filter', 'status'),
	'machineAction/getAll/filters.type': mde('machineAction.list', 'filter', 'type'),
	'indicator/create/indicatorType': mde('indicator.create', 'body', 'indicatorType'),
	'indicator/create/action': mde('indicator.create', 'body', 'action', indicatorAction),
	'indicator/create/additionalFields.severity': mde('indicator.create', 'body', 'severity'),
	'indicator/getAll/filters.action': mde('indicator.list', 'filter', 'action'),
	'indicator/getAll/filters.indicatorType': mde('indicator.list', 'filter', 'indicatorType'),
	'vulnerability/getAll/filters.severity': mde('vulnerability.list', 'filter', 'severity'),
	'investigation/getAll/filters.state': mde('investigation.list', 'filter', 'state'),
	...Object.fromEntries(
		[
			'disable',
			'enable',
			'forcePasswordReset',
			'markCompromised',
			'requireSignInAgain',
			'revokeSessions',
		].map((operation) => [
			`user/${operation}/identityProvider`,
			[
				{
					api: 'graph',
					endpoint: 'identityAccount.invokeAction',
					kind: 'body',
					field: 'identityProvider',
					spelling: same,
				},
			] as Target[],
		]),
	),
};
/** Values that pick what the node does and never reach Microsoft as such. */
const NEVER_SENT_VALUES = new Set(['auto']);
const NEVER_SENT = new Set([
	'*/get|getAll/options.chatMessageFormat',
	'incident/get/options.chatMessageFormat',
	'incident/getAll/options.chatMessageFormat',
	'alert/get/options.chatMessageFormat',
	'alert/getAll/options.chatMessageFormat',
	// Severity and tags of incidents are matched locally: the Defender XDR API does not filter them.
	'incident/getAll/filters.severity',
	'incident/getEntities/entitySource',
	'incident/getEntities/entityTypes',
	'alert/getEntities/entitySource',
	'alert/getEntities/entityTypes',
	'incident/update/updateFields.tagsMode',
	'huntingQuery/run/querySource',
	'huntingQuery/run/template',
	'huntingQuery/run/output',
]);
const isNeverSent = (key: string) =>
	NEVER_SENT.has(key) || /\/options\.(ifRunning|chatMessageFormat)$/.test(key);

function listed(target: Target, value: string): boolean {
	const allowed =
		target.kind === 'body'
			? memberValues(target.api, target.endpoint, target.field)
			: filterValues(target.api, target.endpoint, target.field);
	// A filter on free text (no documented values) takes any value.
	return allowed === undefined || allowed.includes(target.spelling(value));
}

afterAll(async () => {
	await stopEmulator();
});

describe("the node's options against Microsoft's contracts", () => {
	const options = offeredOptions();

	it('knows where every option the node offers goes', () => {
		const unknown = options
			.map((o) => `${o.resource}/${o.operation}/${o.path}`)
			.filter((key) => !SENT[key] && !isNeverSent(key));
		expect(unknown).toEqual([]);
	});

	it('offers only values Microsoft lists, spelled as each API takes them', () => {
		let checked = 0;
		for (const option of options) {
			const targets = SENT[`${option.resource}/${option.operation}/${option.path}`] ?? [];
			for (const target of targets)
				for (const value of option.values) {
					if (NEVER_SENT_VALUES.has(value) || refusedByNode(target, value)) continue;
					checked++;
					expectListed(
						`${target.api} ${target.endpoint} ${target.field === 'Commands' ? 'type' : target.field}=${target.spelling(value)}`,
						listed(target, value),
					);
				}
		}
		expect(checked).toBeGreaterThan(150);
	});

	it('pages no larger than each list documents', () => {
		expect(PAGE_SIZE.defenderXdr).toBeLessThanOrEqual(
			row('defenderXdr', 'incident.list').top as number,
		);
		for (const id of [
			'alert.list',
			'machine.list',
			'machineAction.list',
			'indicator.list',
			'investigation.list',
			'software.list',
			'recommendation.list',
		])
			expect({ id, pageSize: PAGE_SIZE.endpoint <= (row('endpoint', id).top as number) }).toEqual({
				id,
				pageSize: true,
			});
		expect(VULNERABILITY_PAGE).toBeLessThanOrEqual(
			row('endpoint', 'vulnerability.list').top as number,
		);
		// Graph documents $top on incidents and alerts_v2 without a maximum.
		expect(row('graph', 'incident.list').top).toBe(true);
		expect(row('graph', 'alert.list').top).toBe(true);
	});

	it("keeps to every quota Microsoft documents for the calls of each of the node's quota categories", () => {
		/** Which documented endpoints the node counts under each category (transport/quotas.ts). */
		const CALLS: Record<QuotaCategory, Array<[ApiName, string]>> = {
			incidentList: [['defenderXdr', 'incident.list']],
			incidentRead: [['defenderXdr', 'incident.get']],
			incidentWrite: [['defenderXdr', 'incident.update']],
			hunting: [['defenderXdr', 'hunting.run']],
			endpoint: contract.endpoint.endpoints
				.filter((r) => r.quota && r.quota.length === 2 && r.quota[0].limit === 100)
				.map((r) => ['endpoint', r.id] as [ApiName, string]),
			liveResponse: [['endpoint', 'machine.runLiveResponse']],
			packageLink: [['endpoint', 'machineAction.packageUri']],
			startInvestigation: [['endpoint', 'machine.startInvestigation']],
			deviceVulnerabilities: [['endpoint', 'machine.vulnerabilities']],
		};
		for (const [category, calls] of Object.entries(CALLS) as Array<
			[QuotaCategory, Array<[ApiName, string]>]
		>) {
			const windows = quotaWindows(category, 60_000);
			for (const [api, id] of calls) {
				const documented = row(api, id).quota ?? [];
				// Each documented window is respected by a node window no longer than it, scaled.
				const keeps = documented.every(({ limit, minutes }) =>
					windows.some(
						(w) =>
							w.windowMs <= minutes * 60_000 &&
							w.limit * Math.ceil((minutes * 60_000) / w.windowMs) <= limit,
					),
				);
				expect({ category, id, keeps }).toEqual({ category, id, keeps: true });
			}
		}
	});

	it('names only permissions Microsoft documents for each API', () => {
		const apis: Array<[keyof typeof CAPABILITIES, ApiName]> = [
			['defenderXdr', 'defenderXdr'],
			['graph', 'graph'],
			['endpoint', 'endpoint'],
		];
		for (const [api, contractApi] of apis) {
			const documented = new Set(contract[contractApi].endpoints.flatMap((r) => r.permissions));
			for (const capability of CAPABILITIES[api])
				for (const role of capability.anyOf)
					expect({ api, role, documented: documented.has(role) }).toEqual({
						api,
						role,
						documented: true,
					});
		}
	});

	it('documents the hunting Timespan forms the emulator takes', () => {
		for (const example of [
			'2024-02-01T08:00:00Z/2024-02-15T08:00:00Z',
			'P30D/2024-02-15T08:00:00Z',
			'2024-02-01T08:00:00Z/P30D',
			'P30D',
			'2024-02-01T08:00:00Z',
		])
			expect({ example, documented: isDocumentedTimespan(example) }).toEqual({
				example,
				documented: true,
			});
		expect(isDocumentedTimespan('last week')).toBe(false);
	});
});

// ---------------------------------------------------------------------------------------------
// End to end: the node sends each value; the emulator refuses what the contract does not list.

const byId = (value: string | number) => ({ __rl: true, mode: 'id', value: String(value) });

/**
 * Runs the node: `sent` = Microsoft's contract (the emulator) took it; `refused` = it answered 400;
 * `kept` = the node refused before sending a write.
 */
async function outcome(
	lab: Lab,
	parameters: INodeParameters,
): Promise<'sent' | 'refused' | 'kept' | string> {
	const writes = () =>
		lab.calls().filter((call) => call.api !== 'login' && call.method !== 'GET').length;
	const before = writes();
	try {
		await runDefender(lab, parameters);
		return 'sent';
	} catch (error) {
		const message = (error as Error).message;
		if (/answered 400/.test(message)) return 'refused';
		// The node refused before sending anything that changes state.
		return writes() === before ? 'kept' : message;
	}
}

describe('the node sends what Microsoft takes (end to end through the emulator)', () => {
	let lab: Lab;
	beforeAll(async () => {
		lab = await createLab();
	});

	const determinations = () =>
		offeredOptions()
			.filter(
				(o) =>
					o.resource === 'incident' &&
					o.operation === 'update' &&
					o.path === 'updateFields.determination',
			)
			.flatMap((o) => o.values)
			.filter((value, index, all) => all.indexOf(value) === index);
	const fieldValues = (resource: string, field: string) =>
		offeredOptions().find(
			(o) =>
				o.resource === resource && o.operation === 'update' && o.path === `updateFields.${field}`,
		)?.values ?? [];

	it.each([
		['incident', 'defenderXdr'],
		['incident', 'graph'],
		['alert', 'defenderXdr'],
		['alert', 'graph'],
	] as const)(
		'%s Update on %s: each status, classification and determination',
		async (resource, api) => {
			const incident = lab.emulator.createIncident(lab.tenantId, {
				devices: [`ws-${randomUUID().slice(0, 6)}.contoso.local`],
			});
			const alertId = (incident.alerts as Array<{ id: string }>)[0].id;
			const contractApi: ApiName =
				api === 'graph' ? 'graph' : resource === 'incident' ? 'defenderXdr' : 'endpoint';
			const fields: Array<[string, string[]]> = [
				['status', fieldValues(resource, 'status')],
				['classification', fieldValues(resource, 'classification')],
				['determination', determinations()],
			];
			for (const [field, values] of fields)
				for (const value of values) {
					const result = await outcome(lab, {
						api,
						resource,
						operation: 'update',
						...(resource === 'incident'
							? { incidentId: byId(incident.id as number) }
							: { alertId: byId(alertId) }),
						updateFields: { [field]: value },
					});
					const target = update(
						`${resource}.update`,
						resource === 'incident' ? 'defenderXdr' : 'endpoint',
						field,
					).find((t) => t.api === contractApi) as Target;
					// What Microsoft lists must be sent; what it does not list must never reach it.
					const ok =
						refusedByNode(target, value) || !listed(target, value)
							? result === 'kept'
							: result === 'sent';
					expect(['sent', 'refused', 'kept']).toContain(result);
					expectListed(`${contractApi} ${resource}.update ${field}=${target.spelling(value)}`, ok);
				}
		},
		120_000,
	);

	it('Indicator Create: each action, each with the fields the user leaves at their defaults', async () => {
		const actions =
			offeredOptions().find(
				(o) => o.resource === 'indicator' && o.operation === 'create' && o.path === 'action',
			)?.values ?? [];
		for (const action of actions) {
			const result = await outcome(lab, {
				resource: 'indicator',
				operation: 'create',
				indicatorValue: `${randomUUID().slice(0, 8)}.example`,
				action,
				title: 'contract walk',
				description: 'contract walk',
			});
			expect(['sent', 'refused']).toContain(result);
			const key =
				indicatorAction(action) === 'Audit'
					? 'endpoint indicator.create rule=Audit needs generateAlert'
					: `endpoint indicator.create action=${indicatorAction(action)}`;
			expectListed(key, result === 'sent');
		}
	}, 60_000);

	it('Advanced Hunting on Graph: each Timespan form Microsoft documents', async () => {
		for (const timespan of [
			'2024-02-01T08:00:00Z/2024-02-15T08:00:00Z',
			'P30D/2024-02-15T08:00:00Z',
			'2024-02-01T08:00:00Z/P30D',
			'P30D',
			'2024-02-01T08:00:00Z',
		]) {
			const result = await outcome(lab, {
				api: 'graph',
				resource: 'huntingQuery',
				operation: 'run',
				query: 'DeviceInfo | take 1',
				timespan,
			});
			expectListed(`graph hunting.run timespan=${timespan}`, result === 'sent');
		}
	}, 60_000);

	it('Run Live Response never sends commands out of the documented order', async () => {
		const device = lab.emulator.addMachine(lab.tenantId, {
			computerDnsName: `lr-${randomUUID().slice(0, 6)}.contoso.local`,
		});
		const before = lab
			.calls({ method: 'POST' })
			.filter((c) => /runliveresponse/i.test(c.path)).length;
		const result = await outcome(lab, {
			resource: 'machine',
			operation: 'runLiveResponse',
			machineId: byId(device.id as string),
			commands: {
				command: [
					{ type: 'getFile', path: 'C:\\a.txt' },
					{ type: 'runScript', scriptName: 'x.ps1' },
				],
			},
			comment: 'contract walk',
			waitForCompletion: false,
		});
		expect(result).not.toBe('sent');
		const reached =
			lab.calls({ method: 'POST' }).filter((c) => /runliveresponse/i.test(c.path)).length - before;
		expectListed('endpoint machine.runLiveResponse order', reached === 0);
	}, 60_000);

	it('Machine Action Cancel names a permission Microsoft lists when refused', async () => {
		const device = lab.emulator.addMachine(lab.tenantId, {
			computerDnsName: `cx-${randomUUID().slice(0, 6)}.contoso.local`,
		});
		const [isolated] = await runDefender(lab, {
			resource: 'machine',
			operation: 'isolate',
			machineId: byId(device.id as string),
			comment: 'contract walk',
			isolationType: 'Full',
			waitForCompletion: false,
		});
		// The same tenant, an app that holds only Machine.ReadWrite.All.
		const secret = `Sx~${randomUUID()}`;
		const app = lab.emulator.addApp({ secrets: [{ value: secret }] });
		lab.emulator.consent({
			tenantId: lab.tenantId,
			clientId: app.clientId,
			roles: { mde: ['Machine.ReadWrite.All'] },
		});
		const message = await runDefender(
			lab,
			{
				resource: 'machineAction',
				operation: 'cancel',
				machineActionId: byId(String(isolated.json.id)),
				comment: 'contract walk',
			},
			{ credentials: { ...lab.credentials, clientId: app.clientId, clientSecret: secret } },
		).then(
			() => '',
			(error: Error) => `${error.message} ${(error as { description?: string }).description ?? ''}`,
		);
		const named = /permission ([\w.]+)/.exec(message)?.[1] ?? '';
		expect(named).not.toBe('');
		expectListed(
			'endpoint machineAction.cancel permission',
			row('endpoint', 'machineAction.cancel').permissions.includes(named),
		);
	}, 60_000);
});
