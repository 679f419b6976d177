import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeApiError, NodeOperationError, sleep } from 'n8n-workflow';

import { isValidIndicator } from './indicators';
import { odataDateTime, odataString } from './odata';
import { quoted } from './validate';
import { downloadWithFreshLink } from '../transport/download';
import type { QuotaCategory } from '../transport/quotas';
import { defenderApiRequest, toNodeError, type ApiSession } from '../transport/request';

export const MACHINE_ID = /^[0-9a-f]{40}$/i;
export const FINAL_ACTION_STATUSES = ['Succeeded', 'Failed', 'TimeOut', 'Cancelled'];
const RUNNING_ACTION_STATUSES = ['Pending', 'InProgress'];
/** Waits between polls of a running action: quick at first, then every 30 s (well inside 100 calls/minute). */
export const ACTION_POLL_DELAYS_MS = [2_000, 4_000, 8_000, 15_000, 30_000];

export interface MachineRef {
	id: string;
	computerDnsName: string | null;
}

function describeMachines(machines: IDataObject[]): string {
	return machines
		.slice(0, 10)
		.map(
			(machine) =>
				`${String(machine.computerDnsName ?? '?')} (${String(machine.id)}, last seen ${String(machine.lastSeen ?? 'never')})`,
		)
		.join('; ');
}

async function machinesWhere(
	this: IExecuteFunctions,
	session: ApiSession,
	filter: string,
): Promise<IDataObject[]> {
	const page = await defenderApiRequest.call(this, session, {
		method: 'GET',
		path: '/api/machines',
		qs: { $filter: filter, $top: 25 },
		quota: 'endpoint',
		permission: 'Machine.Read.All',
	});
	return Array.isArray(page.value) ? (page.value as IDataObject[]) : [];
}

/**
 * A device given as its ID or its DNS name. A name must match exactly one device — the full DNS name, or
 * a host name that is the first label of exactly one device's DNS name; anything else is an error that
 * lists what was found.
 */
export async function resolveMachine(
	this: IExecuteFunctions,
	session: ApiSession,
	idOrName: string,
): Promise<MachineRef> {
	const value = idOrName.trim();
	const fail = (message: string) =>
		new NodeOperationError(this.getNode(), message, { itemIndex: session.itemIndex });
	if (value === '')
		throw fail(
			'Device is empty. Enter a device ID (40 hex characters) or its DNS name, e.g. ws-0101.contoso.local.',
		);
	if (MACHINE_ID.test(value)) return { id: value.toLowerCase(), computerDnsName: null };
	const lower = value.toLowerCase();
	// An ID from an answer goes into a request path: it must be a device ID, not a path of its own.
	const found = (machine: IDataObject): MachineRef => {
		const id = String(machine.id ?? '');
		if (!MACHINE_ID.test(id)) {
			throw fail(
				`The Defender for Endpoint API answered a device ID ${quoted(id)} for ${quoted(value)}, which is not a device ID (40 hex characters). Use the device ID instead of the name.`,
			);
		}
		return { id: id.toLowerCase(), computerDnsName: String(machine.computerDnsName) };
	};
	const exact = await machinesWhere.call(this, session, `computerDnsName eq ${odataString(lower)}`);
	if (exact.length === 1) return found(exact[0]);
	if (exact.length > 1) {
		throw fail(
			`${exact.length} devices are named ${quoted(value)}: ${describeMachines(exact)}. Use the device ID of the one you mean.`,
		);
	}
	const candidates = await machinesWhere.call(
		this,
		session,
		`startswith(computerDnsName,${odataString(lower)})`,
	);
	const hostMatches = candidates.filter((machine) =>
		String(machine.computerDnsName ?? '')
			.toLowerCase()
			.startsWith(`${lower}.`),
	);
	if (hostMatches.length === 1) return found(hostMatches[0]);
	if (candidates.length === 0) {
		throw fail(
			`No device named ${quoted(value)} was found${session.tenantId ? ` in tenant ${session.tenantId}` : ''}. Check the name (Device inventory in the Defender portal) or use the device ID.`,
		);
	}
	throw fail(
		`${quoted(value)} matches ${candidates.length} devices, not exactly one: ${describeMachines(candidates)}. Use the full DNS name or the device ID.`,
	);
}

/** The action of this type that is still running on the device, if any. */
async function runningAction(
	this: IExecuteFunctions,
	session: ApiSession,
	machineId: string,
	type: string,
): Promise<IDataObject | undefined> {
	const page = await defenderApiRequest.call(this, session, {
		method: 'GET',
		path: '/api/machineactions',
		qs: { $filter: `machineId eq ${odataString(machineId)} and type eq ${odataString(type)}` },
		quota: 'endpoint',
		permission: 'Machine.Read.All',
	});
	const actions = Array.isArray(page.value) ? (page.value as IDataObject[]) : [];
	return actions.find((action) => RUNNING_ACTION_STATUSES.includes(String(action.status)));
}

export interface ResponseActionSpec {
	/** Path after `/api/machines/{id}/`, e.g. `isolate`. */
	path: string;
	/** The machine action `type` this request creates, e.g. `Isolate`. */
	type: string;
	label: string;
	permission: string;
	body: IDataObject;
	/** Quota category when the call has its own documented quota (live response: 10/min). */
	quota?: QuotaCategory;
	/** What to do when Defender refuses the request because one is already active on the device. */
	busyHint?: string;
}

/**
 * Requests a response action. When the same action is already running on the device, Defender answers
 * 400; this says which action, since when and by whom — or returns that action when asked to.
 */
export async function requestResponseAction(
	this: IExecuteFunctions,
	session: ApiSession,
	machine: MachineRef,
	spec: ResponseActionSpec,
	returnRunning: boolean,
): Promise<IDataObject> {
	try {
		return await defenderApiRequest.call(this, session, {
			method: 'POST',
			path: `/api/machines/${encodeURIComponent(machine.id)}/${spec.path}`,
			body: spec.body,
			quota: spec.quota ?? 'endpoint',
			permission: spec.permission,
			notFoundMessage: `Device ${machine.computerDnsName ?? machine.id} not found. Check the device ID or name and the tenant.`,
		});
	} catch (error) {
		const pendingConflict = error instanceof NodeApiError && String(error.httpCode) === '400';
		const running = pendingConflict
			? await runningAction.call(this, session, machine.id, spec.type)
			: undefined;
		if (!running && pendingConflict && error.errorResponse?.code === 'ActiveRequestAlreadyExists') {
			throw new NodeOperationError(
				this.getNode(),
				`Defender refused the ${spec.label} request: one is already active on ${machine.computerDnsName ?? machine.id} (ActiveRequestAlreadyExists).`,
				{
					itemIndex: session.itemIndex,
					description:
						spec.busyHint ??
						'Wait until it has finished (Action Center → Get Many, filtered by device), then run the item again.',
				},
			);
		}
		if (!running) throw toNodeError(this, error, session.itemIndex);
		if (returnRunning) return running;
		throw new NodeOperationError(
			this.getNode(),
			`A ${spec.label} action is already ${String(running.status)} on ${String(running.computerDnsName ?? machine.computerDnsName ?? machine.id)} since ${String(running.creationDateTimeUtc)} (action ${String(running.id)}, requested by ${String(running.requestor ?? 'unknown')}).`,
			{
				itemIndex: session.itemIndex,
				description:
					spec.busyHint ??
					'Wait for it (Action Center → Get), cancel it (Action Center → Cancel), or set "If Action Already Running" to "Return Running Action".',
			},
		);
	}
}

export async function getMachineAction(
	this: IExecuteFunctions,
	session: ApiSession,
	id: string,
): Promise<IDataObject> {
	return await defenderApiRequest.call(this, session, {
		method: 'GET',
		path: `/api/machineactions/${encodeURIComponent(id)}`,
		quota: 'endpoint',
		permission: 'Machine.Read.All',
		notFoundMessage: `Machine action ${id} not found.`,
	});
}

/**
 * Polls a machine action until it ends (Succeeded, Failed, TimeOut, Cancelled) or `timeoutMs` passes;
 * only Succeeded is returned, anything else is an error for this item naming the outcome (and what
 * `failureDetail` finds in the final action, e.g. the live response command that failed).
 */
export async function waitForAction(
	this: IExecuteFunctions,
	session: ApiSession,
	action: IDataObject,
	timeoutMs: number,
	failureDetail?: (action: IDataObject) => string,
	/** Turns the error of an action that did not succeed into the one thrown (e.g. with what completed). */
	onFailure?: (action: IDataObject, error: NodeOperationError) => Promise<NodeOperationError>,
): Promise<IDataObject> {
	// A deadline that is not a number would never pass and never be waited for: the loop would spin.
	if (!Number.isFinite(timeoutMs) || timeoutMs < 1000)
		throw new Error(`Wait timeout of ${timeoutMs} ms is not a duration of 1 s or more.`);
	const deadline = Date.now() + timeoutMs;
	let current = action;
	for (let poll = 0; !FINAL_ACTION_STATUSES.includes(String(current.status)); poll++) {
		const remaining = deadline - Date.now();
		if (remaining <= 0) {
			throw new NodeOperationError(
				this.getNode(),
				`${String(current.type)} on ${String(current.computerDnsName ?? current.machineId)} is still ${String(current.status)} after ${Math.round(timeoutMs / 1000)} s (action ${String(current.id)}).`,
				{
					itemIndex: session.itemIndex,
					description:
						'The action keeps running in Defender (the device may be offline). Check it later with Action Center → Get, or raise Max Wait for Completion.',
				},
			);
		}
		await sleep(
			Math.max(
				1,
				Math.min(
					ACTION_POLL_DELAYS_MS[Math.min(poll, ACTION_POLL_DELAYS_MS.length - 1)],
					remaining,
				),
			),
		);
		current = await getMachineAction.call(this, session, String(current.id));
	}
	if (current.status !== 'Succeeded') {
		// machineaction.md names lastUpdateDateTimeUtc; the list examples (get-machineactions-collection.md,
		// stop-and-quarantine-file.md) show lastUpdateTimeUtc: both are read.
		const error = new NodeOperationError(
			this.getNode(),
			`${String(current.type)} on ${String(current.computerDnsName ?? current.machineId)} ended ${String(current.status)} (action ${String(current.id)}).`,
			{
				itemIndex: session.itemIndex,
				description: `${failureDetail ? `${failureDetail(current)} ` : ''}Requested ${String(current.creationDateTimeUtc)} by ${String(current.requestor)}; last update ${String(current.lastUpdateDateTimeUtc ?? current.lastUpdateTimeUtc)}.`,
			},
		);
		throw onFailure ? await onFailure(current, error) : error;
	}
	return current;
}

/** The package link from GetPackageUri: the documented answer wraps the URL in (escaped) quotes, which are dropped. */
export function packageUrlFrom(value: unknown): string {
	return String(value ?? '')
		.trim()
		.replace(/^(?:\\?")+|(?:\\?")+$/g, '');
}

/** Downloads the ZIP of a succeeded Collect Investigation Package action (its link: 2 per minute, 120 per hour). */
export async function downloadInvestigationPackage(
	this: IExecuteFunctions,
	session: ApiSession,
	action: IDataObject,
): Promise<Buffer> {
	const getLink = async () =>
		packageUrlFrom(
			(
				await defenderApiRequest.call(this, session, {
					method: 'GET',
					path: `/api/machineactions/${encodeURIComponent(String(action.id))}/GetPackageUri`,
					quota: 'packageLink',
					permission: 'Machine.Read.All',
					notFoundMessage: `Defender has no investigation package for action ${String(action.id)} yet.`,
				})
			).value,
		);
	return await downloadWithFreshLink.call(
		this,
		getLink,
		`the investigation package of ${String(action.computerDnsName ?? action.machineId)}`,
		session.itemIndex ?? 0,
	);
}

/** Defender keeps IP assignments for 30 days and matches 15 minutes either side of the time. */
const FIND_BY_IP_MAX_AGE_MS = 30 * 86_400_000;

/**
 * Devices that had `ip` within 15 minutes of `time` (Find Devices by IP, the one documented way from an IP
 * to devices). `undefined` time = now. Inputs are checked before the call.
 */
export async function devicesByIp(
	this: IExecuteFunctions,
	index: number,
	session: ApiSession,
	ipValue: unknown,
	timeValue: unknown,
): Promise<IDataObject[]> {
	const fail = (message: string) =>
		new NodeOperationError(this.getNode(), message, { itemIndex: index });
	const ip = String(ipValue ?? '').trim();
	if (!isValidIndicator('IpAddress', ip))
		throw fail(`"${ip}" is not an IP address. Enter an IPv4 or IPv6 address, e.g. 10.0.0.15.`);
	let timestamp: string;
	try {
		timestamp =
			timeValue === undefined ? new Date().toISOString() : odataDateTime(timeValue, 'Time');
	} catch (error) {
		throw fail((error as Error).message);
	}
	if (Date.now() - Date.parse(timestamp) > FIND_BY_IP_MAX_AGE_MS)
		throw fail(
			`Time ${timestamp} is more than 30 days ago. Defender finds devices by IP only within the last 30 days.`,
		);
	// The IP is quoted and the time is not, as the documented call spells it.
	const answer = await defenderApiRequest.call(this, session, {
		method: 'GET',
		path: `/api/machines/findbyip(ip='${ip}',timestamp=${timestamp.replace(/\.\d+Z$/, 'Z')})`,
		quota: 'endpoint',
		permission: 'Machine.Read.All',
	});
	return Array.isArray(answer.value) ? (answer.value as IDataObject[]) : [];
}
