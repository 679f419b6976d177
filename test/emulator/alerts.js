// @ts-check
'use strict';
// Alerts on their own: Defender for Endpoint's /mde/api/alerts and Graph's /graph/v1.0/security/alerts_v2,
// both rendered from the alerts that incidents.js keeps inside its incidents (one canonical store).
const { HttpError, toApiTime, prop } = require('./util');
const { listPage } = require('./odata');
const {
	enumValue,
	ALERT_STATUS,
	SEVERITY,
	CLASSIFICATION,
	DETERMINATION,
	MDE_DETERMINATION_WRITE,
	DETECTION_SOURCE,
} = require('./incidents');
const { checkEvidence, toXdrEntity } = require('./evidence');

/**
 * @typedef {import('./incidents').Alert} Alert
 * @typedef {{ alert: Alert, incident: import('./incidents').Incident }} Entry
 * @typedef {{ incidentId?: number, title?: string, description?: string, category?: string, severity?: string,
 *   status?: string, classification?: string | null, determination?: string | null, assignedTo?: string | null,
 *   detectionSource?: string, threatFamilyName?: string | null, machineId?: string, computerDnsName?: string,
 *   createdTime?: string | number, lastUpdateTime?: string | number, comment?: string, evidence?: unknown[] }} AlertFields
 * @typedef {import('./index').RouteContext} RouteContext
 */

const ENUMS = [ALERT_STATUS, SEVERITY, CLASSIFICATION, DETERMINATION, DETECTION_SOURCE];
const TEXT_FIELDS = /** @type {const} */ (['title', 'description', 'category', 'threatFamilyName']);

/** Filter values in Graph's spelling. @param {import('./incidents').Enum} en */
const graphValues = (en) =>
	Object.fromEntries(Object.entries(en.fromGraph).map(([lower, v]) => [lower, en.toGraph(v)]));
const MDE_FILTER = {
	alertCreationTime: { field: 'alertCreationTime', kind: /** @type {const} */ ('datetime') },
	lastUpdateTime: { field: 'lastUpdateTime', kind: /** @type {const} */ ('datetime') },
	incidentId: { field: 'incidentId', kind: /** @type {const} */ ('number') },
	status: { field: 'status', kind: /** @type {const} */ ('enum'), values: ALERT_STATUS.fromXdr },
	severity: { field: 'severity', kind: /** @type {const} */ ('enum'), values: SEVERITY.fromXdr },
	category: { field: 'category', kind: /** @type {const} */ ('string'), ci: true },
	assignedTo: { field: 'assignedTo', kind: /** @type {const} */ ('string') },
	detectionSource: { field: 'detectionSource', kind: /** @type {const} */ ('string'), ci: true },
};
const GRAPH_FILTER = {
	createdDateTime: { field: 'createdDateTime', kind: /** @type {const} */ ('datetime') },
	lastUpdateDateTime: { field: 'lastUpdateDateTime', kind: /** @type {const} */ ('datetime') },
	status: {
		field: 'status',
		kind: /** @type {const} */ ('enum'),
		values: graphValues(ALERT_STATUS),
	},
	severity: {
		field: 'severity',
		kind: /** @type {const} */ ('enum'),
		values: graphValues(SEVERITY),
	},
	incidentId: { field: 'incidentId', kind: /** @type {const} */ ('string') },
	assignedTo: { field: 'assignedTo', kind: /** @type {const} */ ('string') },
};

/**
 * @param {{ apiBases: Record<'mde' | 'graph', string>,
 *   incidents: ReturnType<typeof import('./incidents').createIncidents>,
 *   machines: ReturnType<typeof import('./machines').createMachines> }} options
 */
function createAlerts({ apiBases, incidents, machines }) {
	/** Newest first, then higher id. @param {string} tenantId @returns {Entry[]} */
	function sorted(tenantId) {
		return incidents
			.alertEntries(tenantId)
			.sort((x, y) =>
				x.alert.createdTime < y.alert.createdTime
					? 1
					: x.alert.createdTime > y.alert.createdTime
						? -1
						: x.alert.id < y.alert.id
							? 1
							: -1,
			);
	}

	/** @param {string} tenantId @param {string} id */
	function find(tenantId, id) {
		const entry = incidents.alertEntries(tenantId).find((e) => e.alert.id === id);
		if (!entry) throw new HttpError(404, 'NotFound', `Alert ${id} not found`);
		return entry;
	}

	/** The canonical form control functions return. @param {Entry} entry */
	const canonical = ({ alert, incident }) => ({
		...structuredClone(alert),
		severity: alert.severity ?? incident.severity,
	});

	/**
	 * Applies canonical changes; lastUpdateTime becomes now unless given, a comment is appended.
	 * @param {Alert} alert @param {AlertFields} changes @param {string} author
	 */
	function apply(alert, changes, author) {
		const now = toApiTime(changes.lastUpdateTime);
		for (const key of [
			...TEXT_FIELDS,
			'severity',
			'classification',
			'determination',
			'assignedTo',
			'detectionSource',
		]) {
			const value = changes[/** @type {keyof AlertFields} */ (key)];
			if (value !== undefined) /** @type {Record<string, unknown>} */ (alert)[key] = value;
		}
		if (changes.status !== undefined) {
			alert.resolvedTime =
				changes.status === 'Resolved'
					? alert.status === 'Resolved'
						? alert.resolvedTime
						: now
					: null;
			alert.status = changes.status;
		}
		if (changes.comment)
			alert.comments.push({ comment: changes.comment, createdBy: author, createdTime: now });
		alert.lastUpdateTime = now;
	}

	/** Control-function fields with enums in either API's spelling made canonical. @param {AlertFields} fields */
	function canonicalFields(fields) {
		const result = { ...fields };
		for (const en of ENUMS) {
			const key =
				/** @type {'status' | 'severity' | 'classification' | 'determination' | 'detectionSource'} */ (
					en.name
				);
			if (fields[key] !== undefined && fields[key] !== null)
				result[key] = enumValue(en, fields[key], en.fromAny);
		}
		return result;
	}

	// ---- control functions ----

	/**
	 * An alert in incident `incidentId`, or in a new incident of its own; on machine `machineId` or
	 * `computerDnsName` (a known machine's id is used).
	 * @param {string} tenantId @param {AlertFields} [fields]
	 */
	function createAlert(tenantId, fields = {}) {
		const {
			incidentId,
			machineId,
			computerDnsName,
			createdTime,
			lastUpdateTime,
			evidence = [],
			...rest
		} = canonicalFields(fields);
		const machine = machineId === undefined ? undefined : machines.getMachine(tenantId, machineId);
		if (machineId !== undefined && !machine) throw new Error(`Unknown machine ${machineId}`);
		const created = toApiTime(createdTime);
		const severity = rest.severity ?? 'Medium';
		const alert = incidents.attachAlert(tenantId, {
			incidentId,
			title: rest.title ?? 'Suspicious activity',
			severity,
			createdTime: created,
			dnsName: machine?.computerDnsName ?? computerDnsName,
			deviceId: machine?.id,
		});
		apply(alert, { ...rest, severity, lastUpdateTime: lastUpdateTime ?? created }, 'emulator');
		alert.evidence = evidence.map(checkEvidence);
		if (rest.title !== undefined && rest.description === undefined)
			alert.description = `${rest.title} was observed on ${alert.device.dnsName}.`;
		return canonical(find(tenantId, alert.id));
	}

	/**
	 * Changes an alert as a portal user would (`author` names them on a comment); lastUpdateTime moves to
	 * now unless given.
	 * @param {string} tenantId @param {string} id @param {AlertFields} fields @param {string} [author]
	 */
	function updateAlert(tenantId, id, fields, author = 'emulator') {
		const entry = find(tenantId, id);
		apply(entry.alert, canonicalFields(fields), author);
		return canonical(entry);
	}

	/**
	 * An incident whose three alerts share and spread entities: two alerts on one device (same user, file
	 * and IP), one on a second device with mail entities and a security group (a kind the node does not
	 * know). Returns the incident and the entities Get Entities must list: kind, display value and the
	 * alerts naming it (the device and user of each alert included).
	 * @param {string} tenantId @param {{ title?: string, severity?: string, devices?: [string, string], createdTime?: string | number }} [options]
	 */
	function seedTriageIncident(
		tenantId,
		{
			title = 'Ransomware staged from a phishing email',
			severity = 'High',
			devices = ['ws-triage1.contoso.local', 'srv-triage2.contoso.local'],
			createdTime,
		} = {},
	) {
		const created = toApiTime(createdTime);
		const incident = incidents.createIncident(tenantId, {
			title,
			severity,
			devices: [],
			createdTime: created,
		});
		const file = {
			kind: 'file',
			fileName: 'invoice.exe',
			filePath: 'C:\\Users\\Public\\Downloads',
			sha1: '3395856ce81f2b7382dee72602f798b642f14140',
			sha256: '275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f',
			verdict: 'malicious',
		};
		const ip = { kind: 'ip', address: '203.0.113.7' };
		const url = { kind: 'url', url: 'https://evil.example.com/payload.ps1' };
		const registry = {
			kind: 'registry',
			hive: 'HKEY_LOCAL_MACHINE',
			key: 'SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run',
			valueName: 'Updater',
			value: 'C:\\Users\\Public\\Downloads\\invoice.exe',
			valueType: 'String',
		};
		const mailbox = {
			kind: 'mailbox',
			address: 'carol@contoso.com',
			upn: 'carol@contoso.com',
			displayName: 'Carol',
		};
		const message = {
			kind: 'emailMessage',
			networkMessageId: '6f3c1a2b-0d4e-4f5a-9b8c-7d6e5f4a3b2c',
			internetMessageId: '<inv-20261201@evil.example.com>',
			subject: 'Invoice overdue',
			sender: 'billing@evil.example.com',
			recipient: 'carol@contoso.com',
		};
		const group = {
			kind: 'securityGroup',
			id: 'S-1-5-21-1004336348-1177238915-682003330-512',
			name: 'Domain Admins',
		};
		const on = (
			/** @type {number} */ n,
			/** @type {string} */ alertTitle,
			/** @type {string} */ dnsName,
			/** @type {unknown[]} */ evidence,
		) =>
			createAlert(tenantId, {
				incidentId: incident.id,
				title: alertTitle,
				severity,
				computerDnsName: dnsName,
				createdTime: Date.parse(created) + n * 1000,
				evidence,
			});
		const a1 = on(1, 'Malicious file executed', devices[0], [file, url, ip]);
		const a2 = on(2, 'Persistence via Run key', devices[0], [file, ip, registry]);
		const a3 = on(3, 'Phishing email delivered', devices[1], [mailbox, message, group]);
		const user = a1.account.upn;
		const command = a1.process.commandLine;
		const entities = [
			{ kind: 'device', value: devices[0], alertIds: [a1.id, a2.id] },
			{ kind: 'device', value: devices[1], alertIds: [a3.id] },
			{ kind: 'process', value: command, alertIds: [a1.id, a2.id] },
			{ kind: 'process', value: command, alertIds: [a3.id] },
			{ kind: 'user', value: user, alertIds: [a1.id, a2.id, a3.id] },
			{ kind: 'file', value: file.fileName, alertIds: [a1.id, a2.id] },
			{ kind: 'url', value: url.url, alertIds: [a1.id] },
			{ kind: 'domain', value: 'evil.example.com', alertIds: [a1.id] },
			{ kind: 'ip', value: ip.address, alertIds: [a1.id, a2.id] },
			{
				kind: 'registry',
				value: `${registry.hive}\\${registry.key}\\${registry.valueName}`,
				alertIds: [a2.id],
			},
			{ kind: 'mailbox', value: mailbox.address, alertIds: [a3.id] },
			{ kind: 'emailMessage', value: message.subject, alertIds: [a3.id] },
			{ kind: 'other', value: group.name, alertIds: [a3.id] },
		];
		return { incident: incidents.getIncident(tenantId, incident.id), entities };
	}

	/** @param {string} tenantId @param {string} id */
	function getAlert(tenantId, id) {
		const entry = incidents.alertEntries(tenantId).find((e) => e.alert.id === id);
		return entry ? canonical(entry) : null;
	}

	/** @param {string} tenantId all alerts, newest first */
	function listAlerts(tenantId) {
		return sorted(tenantId).map(canonical);
	}

	// ---- rendering ----

	/** @param {Entry} entry @param {string} tenantId @param {boolean} withEvidence */
	function toMde({ alert: a, incident }, tenantId, withEvidence) {
		return {
			id: a.id,
			incidentId: incident.id,
			investigationId: a.investigationId,
			assignedTo: a.assignedTo,
			severity: a.severity ?? incident.severity,
			status: a.status,
			classification: a.classification,
			determination: a.determination,
			investigationState: a.investigationState,
			detectionSource: a.detectionSource,
			detectorId: null,
			category: a.category,
			threatFamilyName: a.threatFamilyName,
			title: a.title,
			description: a.description,
			alertCreationTime: a.createdTime,
			firstEventTime: a.firstEventTime,
			lastEventTime: a.lastEventTime,
			lastUpdateTime: a.lastUpdateTime,
			resolvedTime: a.resolvedTime,
			machineId: a.device.id,
			computerDnsName: a.device.dnsName,
			rbacGroupName: null,
			aadTenantId: tenantId,
			relatedUser: { userName: a.account.name, domainName: a.account.domain },
			mitreTechniques: ['T1059.001'],
			comments: a.comments,
			...(withEvidence ? { evidence: mdeEvidence(a) } : {}),
		};
	}

	/** @param {Alert} a */
	function mdeEvidence(a) {
		const user = {
			accountName: a.account.name,
			domainName: a.account.domain,
			userSid: a.account.sid,
			aadUserId: null,
			userPrincipalName: a.account.upn,
		};
		const at = a.createdTime;
		return [
			{
				entityType: 'Process',
				evidenceCreationTime: at,
				sha1: a.process.sha1,
				sha256: a.process.sha256,
				fileName: a.process.fileName,
				filePath: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0',
				processId: a.process.processId,
				processCommandLine: a.process.commandLine,
				processCreationTime: at,
				...user,
				userPrincipalName: null,
				detectionStatus: 'Detected',
			},
			{ entityType: 'User', evidenceCreationTime: at, ...user, detectionStatus: null },
			...a.evidence.map((e) => toXdrEntity(e, at)),
		];
	}

	/** @param {URLSearchParams} query */
	function mdeExpand(query) {
		const expand = query.get('$expand');
		if (expand === null) return false;
		if (expand.trim().toLowerCase() !== 'evidence')
			throw new HttpError(
				400,
				'BadRequest',
				`Could not find a property named '${expand}' on type 'Alert'.`,
			);
		return true;
	}

	/** @param {Entry} entry @param {string} tenantId */
	const toGraph = ({ alert, incident }, tenantId) =>
		incidents.graphAlert(alert, incident, tenantId);

	// ---- API routes ----

	/**
	 * The changes a PATCH body asks for, validated; the APIs differ in enum spelling and error code.
	 * @param {unknown} body @param {'fromXdr' | 'fromGraph'} spelling @param {string} code
	 */
	function patchChanges(body, spelling, code) {
		const get =
			spelling === 'fromXdr'
				? prop
				: (/** @type {any} */ b, /** @type {string} */ name) => b?.[name];
		/** @type {AlertFields} */
		const changes = {};
		for (const en of [ALERT_STATUS, CLASSIFICATION, DETERMINATION]) {
			const key = /** @type {'status' | 'classification' | 'determination'} */ (en.name);
			const value = get(body, key);
			const accepted =
				en === DETERMINATION && spelling === 'fromXdr' ? MDE_DETERMINATION_WRITE : en[spelling];
			if (value !== undefined) changes[key] = enumValue(en, value, accepted, code);
		}
		for (const key of /** @type {('assignedTo' | 'comment')[]} */ (
			spelling === 'fromXdr' ? ['assignedTo', 'comment'] : ['assignedTo']
		)) {
			const value = get(body, key);
			if (value === undefined || (value === null && key === 'comment')) continue;
			if (value !== null && typeof value !== 'string')
				throw new HttpError(400, code, `Invalid value for field '${key}': expected a string.`);
			changes[key] = value;
		}
		return changes;
	}

	const author = (/** @type {RouteContext} */ ctx) => `API-App:${ctx.appid}`;
	const mdeEntity = `${apiBases.mde}/api/$metadata#Alerts/$entity`;
	const graphContext = `${apiBases.graph}/v1.0/$metadata#security/alerts_v2`;
	const MDE_READ = ['Alert.Read.All', 'Alert.ReadWrite.All'];
	const GRAPH_READ = ['SecurityAlert.Read.All', 'SecurityAlert.ReadWrite.All'];

	/** @type {import('./index').Route[]} */
	const routes = [
		{
			api: 'mde',
			method: 'GET',
			path: /^\/api\/alerts\/?$/i,
			category: 'mde',
			roles: MDE_READ,
			handle: (ctx) => {
				const withEvidence = mdeExpand(ctx.query);
				const all = sorted(ctx.tenantId).map((e) => toMde(e, ctx.tenantId, withEvidence));
				return {
					'@odata.context': `${apiBases.mde}/api/$metadata#Alerts`,
					...listPage(all, ctx.query, {
						max: 10_000,
						fields: MDE_FILTER,
						typeName: 'Alert',
						base: `${apiBases.mde}/api/alerts`,
					}),
				};
			},
		},
		{
			api: 'mde',
			method: 'GET',
			path: /^\/api\/alerts\/([^/]+)$/i,
			category: 'mde',
			roles: MDE_READ,
			handle: (ctx) => ({
				'@odata.context': mdeEntity,
				...toMde(find(ctx.tenantId, ctx.params[0]), ctx.tenantId, mdeExpand(ctx.query)),
			}),
		},
		{
			api: 'mde',
			method: 'PATCH',
			path: /^\/api\/alerts\/([^/]+)$/i,
			category: 'mde',
			roles: ['Alert.ReadWrite.All'],
			handle: async (ctx) => {
				const entry = find(ctx.tenantId, ctx.params[0]);
				apply(entry.alert, patchChanges(await ctx.body(), 'fromXdr', 'InvalidInput'), author(ctx));
				return { '@odata.context': mdeEntity, ...toMde(entry, ctx.tenantId, false) };
			},
		},
		{
			api: 'graph',
			method: 'GET',
			path: /^\/v1\.0\/security\/alerts_v2\/?$/i,
			category: 'alerts',
			roles: GRAPH_READ,
			handle: (ctx) => ({
				'@odata.context': graphContext,
				...listPage(
					sorted(ctx.tenantId).map((e) => toGraph(e, ctx.tenantId)),
					ctx.query,
					{
						max: 2000,
						fields: GRAPH_FILTER,
						typeName: 'microsoft.graph.security.alert',
						base: `${apiBases.graph}/v1.0/security/alerts_v2`,
					},
				),
			}),
		},
		{
			api: 'graph',
			method: 'GET',
			path: /^\/v1\.0\/security\/alerts_v2\/([^/]+)$/i,
			category: 'alerts',
			roles: GRAPH_READ,
			handle: (ctx) => ({
				'@odata.context': `${graphContext}/$entity`,
				...toGraph(find(ctx.tenantId, ctx.params[0]), ctx.tenantId),
			}),
		},
		{
			api: 'graph',
			method: 'PATCH',
			path: /^\/v1\.0\/security\/alerts_v2\/([^/]+)$/i,
			category: 'alerts',
			roles: ['SecurityAlert.ReadWrite.All'],
			handle: async (ctx) => {
				const entry = find(ctx.tenantId, ctx.params[0]);
				apply(entry.alert, patchChanges(await ctx.body(), 'fromGraph', 'BadRequest'), author(ctx));
				return { '@odata.context': `${graphContext}/$entity`, ...toGraph(entry, ctx.tenantId) };
			},
		},
		{
			api: 'graph',
			method: 'POST',
			path: /^\/v1\.0\/security\/alerts_v2\/([^/]+)\/comments$/i,
			category: 'alerts',
			roles: ['SecurityAlert.ReadWrite.All'],
			handle: async (ctx) => {
				const { alert } = find(ctx.tenantId, ctx.params[0]);
				const body = await ctx.body();
				if (typeof body.comment !== 'string' || !body.comment) {
					throw new HttpError(
						400,
						'BadRequest',
						"The property 'comment' is required and must be a non-empty string.",
					);
				}
				apply(alert, { comment: body.comment }, author(ctx));
				return {
					'@odata.context': `${apiBases.graph}/v1.0/$metadata#Collection(microsoft.graph.security.alertComment)`,
					value: toGraph(find(ctx.tenantId, alert.id), ctx.tenantId).comments.map((c) => ({
						'@odata.type': '#microsoft.graph.security.alertComment',
						...c,
					})),
				};
			},
		},
	];

	/** Alerts in the Defender for Endpoint shape, newest first, for other modules' routes. @param {string} tenantId @param {(alert: Alert) => boolean} predicate */
	function mdeAlertsWhere(tenantId, predicate) {
		return sorted(tenantId)
			.filter((entry) => predicate(entry.alert))
			.map((entry) => toMde(entry, tenantId, false));
	}

	return {
		routes,
		createAlert,
		updateAlert,
		getAlert,
		listAlerts,
		mdeAlertsWhere,
		seedTriageIncident,
	};
}

module.exports = { createAlerts };
