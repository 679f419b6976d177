// @ts-check
'use strict';
// Defender for Endpoint devices (/mde/api/machines) and response actions (/mde/api/machineactions):
// per-tenant machines, and machine actions whose status follows a timeline, evaluated from the clock
// whenever an action is read (no timers).
const crypto = require('node:crypto');
const { HttpError, sendJson, toApiTime, prop, requiredText, oneOf } = require('./util');
const { listPage, enumValues } = require('./odata');

/**
 * @typedef {{ id: string, computerDnsName: string, firstSeen: string, lastSeen: string, osPlatform: string,
 *   version: string | null, osProcessor: string, osBuild: number | null, lastIpAddress: string,
 *   lastExternalIpAddress: string, healthStatus: string, onboardingStatus: string, deviceValue: string,
 *   rbacGroupId: number | null, rbacGroupName: string | null, riskScore: string, exposureLevel: string,
 *   isAadJoined: boolean, aadDeviceId: string | null, machineTags: string[] }} Machine the fields of
 *   defender-endpoint/api/machine.md (test/contracts/defender-endpoint.json, shapes.machine)
 * @typedef {{ pendingMs: number, inProgressMs: number, outcome: string }} Timeline
 * @typedef {{ id: string, type: string, scope: string | null, requestor: string, requestorComment: string,
 *   machineId: string, computerDnsName: string, createdMs: number, creationDateTimeUtc: string, timeline: Timeline,
 *   relatedFileInfo: { fileIdentifier: string, fileIdentifierType: string } | null,
 *   cancelled: { ms: number, requestor: string, comment: string } | null,
 *   commands: { type: string, params: { key: string, value: string }[] }[], failedCommand: number | null }} Action
 *   failedCommand: the index of the live response command that fails (the action then ends Failed, later commands do not run)
 * @typedef {import('./index').RouteContext} RouteContext
 */

const HEALTH = [
	'Active',
	'Inactive',
	'ImpairedCommunication',
	'NoSensorData',
	'NoSensorDataImpairedCommunication',
	'Unknown',
];
const RISK = ['None', 'Informational', 'Low', 'Medium', 'High'];
const EXPOSURE = ['None', 'Low', 'Medium', 'High'];
const ONBOARDING = ['Onboarded', 'CanBeOnboarded', 'Unsupported', 'InsufficientInfo'];
const OUTCOMES = ['Succeeded', 'Failed', 'TimeOut'];
const ACTION_STATUS = ['Pending', 'InProgress', 'Succeeded', 'Failed', 'TimeOut', 'Cancelled'];
/** Machine action types created by other modules' routes (live response). */
const OTHER_ACTION_TYPES = ['LiveResponse'];
const MACHINE_ID = /^[0-9a-f]{40}$/i;
const E_FAIL = -2147467259;

/**
 * The response actions by path segment: MachineAction type, permission, and the body parameter giving
 * the action's scope (a missing one is a 400 unless it has a default).
 * @type {{ segment: string, type: string, role: string, scope?: { name: string, values: string[], default?: string }, sha1?: true }[]}
 */
const ACTIONS = [
	{
		segment: 'isolate',
		type: 'Isolate',
		role: 'Machine.Isolate',
		scope: {
			name: 'IsolationType',
			values: ['Full', 'Selective', 'UnManagedDevice'],
			default: 'Full',
		},
	},
	{ segment: 'unisolate', type: 'Unisolate', role: 'Machine.Isolate' },
	{
		segment: 'runAntiVirusScan',
		type: 'RunAntiVirusScan',
		role: 'Machine.Scan',
		scope: { name: 'ScanType', values: ['Quick', 'Full'] },
	},
	{
		segment: 'restrictCodeExecution',
		type: 'RestrictCodeExecution',
		role: 'Machine.RestrictExecution',
	},
	{
		segment: 'unrestrictCodeExecution',
		type: 'UnrestrictCodeExecution',
		role: 'Machine.RestrictExecution',
	},
	{
		segment: 'collectInvestigationPackage',
		type: 'CollectInvestigationPackage',
		role: 'Machine.CollectForensics',
	},
	{
		segment: 'StopAndQuarantineFile',
		type: 'StopAndQuarantineFile',
		role: 'Machine.StopAndQuarantine',
		sha1: true,
	},
	{ segment: 'offboard', type: 'Offboard', role: 'Machine.Offboard' },
];
const DEFAULT_TIMELINE = { pendingMs: 300, inProgressMs: 300, outcome: 'Succeeded' };

const MACHINE_FILTER = {
	id: { field: 'id', kind: /** @type {const} */ ('string'), ci: true },
	computerDnsName: { field: 'computerDnsName', kind: /** @type {const} */ ('string'), ci: true },
	healthStatus: {
		field: 'healthStatus',
		kind: /** @type {const} */ ('enum'),
		values: enumValues(HEALTH),
	},
	riskScore: { field: 'riskScore', kind: /** @type {const} */ ('enum'), values: enumValues(RISK) },
	exposureLevel: {
		field: 'exposureLevel',
		kind: /** @type {const} */ ('enum'),
		values: enumValues(EXPOSURE),
	},
	onboardingStatus: {
		field: 'onboardingStatus',
		kind: /** @type {const} */ ('enum'),
		values: enumValues(ONBOARDING),
	},
	osPlatform: { field: 'osPlatform', kind: /** @type {const} */ ('string'), ci: true },
	lastSeen: { field: 'lastSeen', kind: /** @type {const} */ ('datetime') },
	machineTags: { field: 'machineTags', kind: /** @type {const} */ ('list') },
	lastIpAddress: { field: 'lastIpAddress', kind: /** @type {const} */ ('string') },
	aadDeviceId: { field: 'aadDeviceId', kind: /** @type {const} */ ('string'), ci: true },
};
const ACTION_FILTER = {
	id: { field: 'id', kind: /** @type {const} */ ('string'), ci: true },
	machineId: { field: 'machineId', kind: /** @type {const} */ ('string'), ci: true },
	status: {
		field: 'status',
		kind: /** @type {const} */ ('enum'),
		values: enumValues(ACTION_STATUS),
	},
	type: {
		field: 'type',
		kind: /** @type {const} */ ('enum'),
		values: enumValues([...ACTIONS.map((a) => a.type), ...OTHER_ACTION_TYPES]),
	},
	requestor: { field: 'requestor', kind: /** @type {const} */ ('string'), ci: true },
	creationDateTimeUtc: { field: 'creationDateTimeUtc', kind: /** @type {const} */ ('datetime') },
};

/**
 * @param {{ apiBases: Record<'mde', string>, getTenant: (idOrDomain: string) => { id: string },
 *   deviceIdOf?: (tenantId: string, dnsName: string) => string | undefined }} options
 *   deviceIdOf: the device id alerts already use for a DNS name, which a new machine adopts
 */
function createMachines({ apiBases, getTenant, deviceIdOf = () => undefined }) {
	/** @type {Map<string, { machines: Map<string, Machine>, actions: Map<string, Action>, timeline?: Timeline }>} */
	const stores = new Map();
	/** @type {Timeline} */
	let timeline = { ...DEFAULT_TIMELINE };

	/** @param {string} tenantIdOrDomain */
	function storeOf(tenantIdOrDomain) {
		const tenantId = getTenant(tenantIdOrDomain).id;
		let store = stores.get(tenantId);
		if (!store) {
			store = { machines: new Map(), actions: new Map() };
			stores.set(tenantId, store);
		}
		return store;
	}

	/** @param {string} tenantId @param {string} id */
	function find(tenantId, id) {
		const machine = storeOf(tenantId).machines.get(id.toLowerCase());
		if (!machine) throw new HttpError(404, 'NotFound', `Machine ${id} not found`);
		return machine;
	}

	// ---- control functions ----

	/**
	 * Adds (or, with an existing id, replaces) a machine; omitted fields get plausible values.
	 * @param {string} tenantId @param {Partial<Machine> & { firstSeen?: string | number, lastSeen?: string | number }} [fields]
	 */
	function addMachine(tenantId, fields = {}) {
		const store = storeOf(tenantId);
		const n = store.machines.size + 1;
		const computerDnsName =
			fields.computerDnsName ?? `device-${String(n).padStart(3, '0')}.contoso.local`;
		const id = (
			fields.id ??
			deviceIdOf(tenantId, computerDnsName) ??
			crypto.randomBytes(20).toString('hex')
		).toLowerCase();
		if (!MACHINE_ID.test(id)) throw new Error(`A machine id is 40 hex digits: ${id}`);
		if (
			fields.machineTags !== undefined &&
			(!Array.isArray(fields.machineTags) || fields.machineTags.some((t) => typeof t !== 'string'))
		) {
			throw new Error('machineTags must be an array of strings');
		}
		/** @type {Machine} */
		const machine = {
			osPlatform: 'Windows11',
			version: '23H2',
			osProcessor: 'x64',
			osBuild: 22631,
			lastIpAddress: `10.0.0.${(n % 250) + 1}`,
			lastExternalIpAddress: '203.0.113.10',
			deviceValue: 'Normal',
			rbacGroupId: null,
			rbacGroupName: null,
			isAadJoined: true,
			aadDeviceId: crypto.randomUUID(),
			...fields,
			id,
			computerDnsName,
			firstSeen: toApiTime(fields.firstSeen ?? Date.now() - 30 * 86_400_000),
			lastSeen: toApiTime(fields.lastSeen),
			healthStatus: oneOf('healthStatus', fields.healthStatus ?? 'Active', HEALTH),
			onboardingStatus: oneOf(
				'onboardingStatus',
				fields.onboardingStatus ?? 'Onboarded',
				ONBOARDING,
			),
			riskScore: oneOf('riskScore', fields.riskScore ?? 'None', RISK),
			exposureLevel: oneOf('exposureLevel', fields.exposureLevel ?? 'Low', EXPOSURE),
			machineTags: [...(fields.machineTags ?? [])],
		};
		store.machines.set(id, machine);
		return structuredClone(machine);
	}

	/** @param {string} tenantId @param {string} id */
	function getMachine(tenantId, id) {
		const machine = storeOf(tenantId).machines.get(id.toLowerCase());
		return machine ? structuredClone(machine) : null;
	}

	/** @param {string} tenantId all machines, oldest first */
	function listMachines(tenantId) {
		return structuredClone([...storeOf(tenantId).machines.values()]);
	}

	/** @param {string} tenantId @param {string} dnsName */
	function findByDnsName(tenantId, dnsName) {
		const wanted = dnsName.toLowerCase();
		return [...storeOf(tenantId).machines.values()].find(
			(m) => m.computerDnsName.toLowerCase() === wanted,
		);
	}

	/**
	 * How new actions progress: `pendingMs` in Pending, then `inProgressMs` in InProgress, then `outcome`.
	 * Without `tenantId` it sets the default for all tenants, with it that tenant's own timeline. An action
	 * keeps the timeline it started with.
	 * @param {{ tenantId?: string, pendingMs?: number, inProgressMs?: number, outcome?: string }} [spec]
	 */
	function setActionTimeline({
		tenantId,
		pendingMs = DEFAULT_TIMELINE.pendingMs,
		inProgressMs = DEFAULT_TIMELINE.inProgressMs,
		outcome = DEFAULT_TIMELINE.outcome,
	} = {}) {
		for (const [name, ms] of Object.entries({ pendingMs, inProgressMs })) {
			if (!Number.isFinite(ms) || ms < 0) throw new Error(`${name} must be a number ≥ 0`);
		}
		const spec = { pendingMs, inProgressMs, outcome: oneOf('outcome', outcome, OUTCOMES) };
		if (tenantId === undefined) timeline = spec;
		else storeOf(tenantId).timeline = spec;
		return { ...spec };
	}

	/** @param {string} tenantId @param {string} id the action in the API's shape, or null */
	function getMachineAction(tenantId, id) {
		const action = storeOf(tenantId).actions.get(id.toLowerCase());
		return action ? render(action) : null;
	}

	/** @param {string} tenantId all actions in the API's shape, newest first */
	function listMachineActions(tenantId) {
		return [...storeOf(tenantId).actions.values()].reverse().map((a) => render(a));
	}

	/**
	 * Records an action someone already took (e.g. an isolation from the portal yesterday), created at
	 * `createdTime` and finished by now with the timeline's outcome; the API's shape as
	 * GET /api/machineactions lists it.
	 * @param {string} tenantId @param {{ machineId: string, type: string, comment?: string, requestor?: string,
	 *   createdTime?: string | number, scope?: string | null }} spec
	 */
	function addMachineAction(
		tenantId,
		{
			machineId,
			type,
			comment = 'Taken in the portal',
			requestor = 'analyst@contoso.example',
			createdTime = Date.now(),
			scope = null,
		},
	) {
		const store = storeOf(tenantId);
		const machine =
			storeOf(tenantId).machines.get(machineId.toLowerCase()) ?? findByDnsName(tenantId, machineId);
		if (!machine) throw new Error(`No machine ${machineId} in tenant ${tenantId}`);
		oneOf('type', type, [...ACTIONS.map((a) => a.type), ...OTHER_ACTION_TYPES]);
		const createdMs = new Date(createdTime).getTime();
		/** @type {Action} */
		const action = {
			id: crypto.randomUUID(),
			type,
			scope,
			requestor,
			requestorComment: comment,
			machineId: machine.id,
			computerDnsName: machine.computerDnsName,
			createdMs,
			creationDateTimeUtc: toApiTime(createdMs),
			timeline: { ...(store.timeline ?? timeline), pendingMs: 0, inProgressMs: 0 },
			relatedFileInfo: null,
			cancelled: null,
			commands: [],
			failedCommand: null,
		};
		store.actions.set(action.id, action);
		return render(action);
	}

	// ---- machine actions ----

	/** The status at `now` and when it began. @param {Action} a @param {number} now */
	function progress(a, now) {
		if (a.cancelled) return { status: 'Cancelled', since: a.cancelled.ms };
		const started = a.createdMs + a.timeline.pendingMs;
		const finished = started + a.timeline.inProgressMs;
		if (now < started) return { status: 'Pending', since: a.createdMs };
		if (now < finished) return { status: 'InProgress', since: started };
		return { status: a.failedCommand === null ? a.timeline.outcome : 'Failed', since: finished };
	}

	const isActive = (/** @type {string} */ status) =>
		status === 'Pending' || status === 'InProgress';

	/** @param {Action} a @param {number} [now] */
	function render(a, now = Date.now()) {
		const { status, since } = progress(a, now);
		return {
			id: a.id,
			type: a.type,
			title: null,
			requestor: a.requestor,
			requestorComment: a.requestorComment,
			cancellationRequestor: a.cancelled?.requestor ?? null,
			cancellationComment: a.cancelled?.comment ?? null,
			status,
			machineId: a.machineId,
			computerDnsName: a.computerDnsName,
			creationDateTimeUtc: a.creationDateTimeUtc,
			cancellationDateTimeUtc: a.cancelled ? toApiTime(a.cancelled.ms) : null,
			lastUpdateDateTimeUtc: since === a.createdMs ? a.creationDateTimeUtc : toApiTime(since),
			errorHResult: status === 'Failed' ? E_FAIL : 0,
			scope: a.scope,
			externalId: null,
			requestSource: 'PublicApi',
			relatedFileInfo: a.relatedFileInfo,
			commands: renderCommands(a, status, since),
			troubleshootInfo: null,
		};
	}

	/**
	 * Live response commands: Created until the action ends; then Completed up to a failing command, which
	 * is Failed, and the rest never run (Created). A session that ended otherwise (TimeOut, Cancelled)
	 * completed none.
	 * @param {Action} a @param {string} status @param {number} since
	 */
	function renderCommands(a, status, since) {
		const ran = status === 'Succeeded' || (status === 'Failed' && a.failedCommand !== null);
		return a.commands.map((command, index) => {
			const failed = ran && index === a.failedCommand;
			const completed = ran && !failed && (a.failedCommand === null || index < a.failedCommand);
			return {
				index,
				startTime: completed || failed ? toApiTime(since) : null,
				endTime: completed || failed ? toApiTime(since) : null,
				commandStatus: failed ? 'Failed' : completed ? 'Completed' : 'Created',
				errors: failed ? [`Command ${command.type} failed`] : [],
				command,
			};
		});
	}

	/** @param {RouteContext} ctx @param {typeof ACTIONS[number]} spec */
	async function startAction(ctx, spec) {
		const machine = find(ctx.tenantId, ctx.params[0]);
		const body = await ctx.body();
		const comment = requiredText(body, 'Comment');
		let scope = null;
		if (spec.scope) {
			const raw = prop(body, spec.scope.name);
			if ((raw === undefined || raw === null) && !spec.scope.default) {
				throw new HttpError(
					400,
					'MissingRequiredParameter',
					`Parameter ${spec.scope.name} is missing`,
				);
			}
			scope = oneOf(spec.scope.name, raw ?? spec.scope.default, spec.scope.values);
		}
		let relatedFileInfo = null;
		if (spec.sha1) {
			const sha1 = requiredText(body, 'Sha1');
			if (!/^[0-9a-f]{40}$/i.test(sha1))
				throw new HttpError(
					400,
					'InvalidHashValue',
					`Hash value ${sha1} of field 'Sha1' is invalid: a SHA-1 is 40 hex digits`,
				);
			relatedFileInfo = { fileIdentifier: sha1, fileIdentifierType: 'Sha1' };
		}
		createAction(ctx, machine, { type: spec.type, comment, scope, relatedFileInfo });
	}

	/**
	 * Records a new machine action on `machine` and answers 201 with it; a second action of the same type
	 * while one is Pending or InProgress is a 400 ActiveRequestAlreadyExists.
	 * @param {RouteContext} ctx @param {Machine} machine
	 * @param {{ type: string, comment: string, scope?: string | null, relatedFileInfo?: Action['relatedFileInfo'],
	 *   commands?: Action['commands'], failedCommand?: number | null }} spec
	 */
	function createAction(
		ctx,
		machine,
		{ type, comment, scope = null, relatedFileInfo = null, commands = [], failedCommand = null },
	) {
		const store = storeOf(ctx.tenantId);
		const now = Date.now();
		const busy = [...store.actions.values()].find(
			(a) => a.machineId === machine.id && a.type === type && isActive(progress(a, now).status),
		);
		if (busy)
			throw new HttpError(400, 'ActiveRequestAlreadyExists', 'Action is already in progress');
		/** @type {Action} */
		const action = {
			id: crypto.randomUUID(),
			type,
			scope,
			requestor: ctx.appid,
			requestorComment: comment,
			machineId: machine.id,
			computerDnsName: machine.computerDnsName,
			createdMs: now,
			creationDateTimeUtc: toApiTime(now),
			timeline: { ...(store.timeline ?? timeline) },
			relatedFileInfo,
			cancelled: null,
			commands,
			failedCommand,
		};
		store.actions.set(action.id, action);
		sendJson(ctx.res, 201, {
			'@odata.context': `${apiBases.mde}/api/$metadata#MachineActions/$entity`,
			...render(action, now),
		});
		return action;
	}

	/** The stored action and its status now, for other modules' routes (result links). @param {string} tenantId @param {string} id */
	function actionState(tenantId, id) {
		const action = storeOf(tenantId).actions.get(id.toLowerCase());
		if (!action) throw new HttpError(404, 'NotFound', `Machine action ${id} not found`);
		return { action, status: progress(action, Date.now()).status };
	}

	/** @param {RouteContext} ctx */
	function findAction(ctx) {
		const action = storeOf(ctx.tenantId).actions.get(ctx.params[0].toLowerCase());
		if (!action) throw new HttpError(404, 'NotFound', `Machine action ${ctx.params[0]} not found`);
		return action;
	}

	// ---- API routes ----

	const READ = ['Machine.Read.All', 'Machine.ReadWrite.All'];
	const machineEntity = `${apiBases.mde}/api/$metadata#Machines/$entity`;
	const actionEntity = `${apiBases.mde}/api/$metadata#MachineActions/$entity`;

	/** @type {import('./index').Route[]} */
	const routes = [
		{
			api: 'mde',
			method: 'GET',
			path: /^\/api\/machines\/?$/i,
			category: 'mde',
			roles: READ,
			handle: (ctx) => ({
				'@odata.context': `${apiBases.mde}/api/$metadata#Machines`,
				...listPage([...storeOf(ctx.tenantId).machines.values()], ctx.query, {
					max: 10_000,
					fields: MACHINE_FILTER,
					typeName: 'Machine',
					base: `${apiBases.mde}/api/machines`,
				}),
			}),
		},
		{
			api: 'mde',
			method: 'GET',
			path: /^\/api\/machines\/([^/]+)$/i,
			category: 'mde',
			roles: READ,
			handle: (ctx) => ({ '@odata.context': machineEntity, ...find(ctx.tenantId, ctx.params[0]) }),
		},
		{
			api: 'mde',
			method: 'POST',
			path: /^\/api\/machines\/([^/]+)\/tags$/i,
			category: 'mde',
			roles: ['Machine.ReadWrite.All'],
			handle: async (ctx) => {
				const machine = find(ctx.tenantId, ctx.params[0]);
				const body = await ctx.body();
				const value = requiredText(body, 'Value');
				const add = oneOf('Action', prop(body, 'Action'), ['Add', 'Remove']) === 'Add';
				machine.machineTags = machine.machineTags
					.filter((t) => t !== value)
					.concat(add ? [value] : []);
				return { '@odata.context': machineEntity, ...machine };
			},
		},
		...ACTIONS.map(
			(spec) =>
				/** @type {import('./index').Route} */ ({
					api: 'mde',
					method: 'POST',
					path: new RegExp(`^/api/machines/([^/]+)/${spec.segment}$`, 'i'),
					category: 'mde',
					roles: [spec.role],
					handle: (ctx) => startAction(ctx, spec),
				}),
		),
		{
			api: 'mde',
			method: 'GET',
			path: /^\/api\/machineactions\/?$/i,
			category: 'mde',
			roles: READ,
			handle: (ctx) => ({
				'@odata.context': `${apiBases.mde}/api/$metadata#MachineActions`,
				...listPage(listMachineActions(ctx.tenantId), ctx.query, {
					max: 10_000,
					fields: ACTION_FILTER,
					typeName: 'MachineAction',
					base: `${apiBases.mde}/api/machineactions`,
				}),
			}),
		},
		{
			api: 'mde',
			method: 'GET',
			path: /^\/api\/machineactions\/([^/]+)$/i,
			category: 'mde',
			roles: READ,
			handle: (ctx) => ({ '@odata.context': actionEntity, ...render(findAction(ctx)) }),
		},
		{
			api: 'mde',
			method: 'POST',
			path: /^\/api\/machineactions\/([^/]+)\/cancel$/i,
			category: 'mde',
			roles: [...new Set([...ACTIONS.map((a) => a.role), 'Machine.ReadWrite.All'])],
			handle: async (ctx) => {
				const action = findAction(ctx);
				const comment = requiredText(await ctx.body(), 'Comment');
				const now = Date.now();
				const { status } = progress(action, now);
				if (!isActive(status))
					throw new HttpError(
						400,
						'DisallowedOperation',
						`Machine action ${action.id} cannot be cancelled: its status is ${status}`,
					);
				action.cancelled = { ms: now, requestor: ctx.appid, comment };
				return { '@odata.context': actionEntity, ...render(action, now) };
			},
		},
	];

	return {
		routes,
		addMachine,
		getMachine,
		listMachines,
		findByDnsName,
		find,
		setActionTimeline,
		getMachineAction,
		listMachineActions,
		addMachineAction,
		createAction,
		actionState,
	};
}

module.exports = { createMachines };
