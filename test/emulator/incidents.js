// @ts-check
'use strict';
// Incidents: one canonical store per tenant, rendered in the Defender XDR shape (/xdr/api/incidents)
// and the Microsoft Graph shape (/graph/v1.0/security/incidents). Incidents own their alerts, which
// alerts.js also serves on their own.
const crypto = require('node:crypto');
const { HttpError, toApiTime } = require('./util');
const { parseFilter, paging, nextLink } = require('./odata');
const { toXdrEntity, toGraphEvidence } = require('./evidence');

/**
 * Canonical incident: XDR enum names, neutral field names, API-formatted timestamps.
 * @typedef {{ comment: string, createdBy: string, createdTime: string }} Comment
 * @typedef {{ id: string, incidentId: number, title: string, description: string, category: string,
 *   severity: string | null, status: string, classification: string | null, determination: string | null,
 *   assignedTo: string | null, detectionSource: string, threatFamilyName: string | null, investigationId: number | null,
 *   investigationState: string, createdTime: string, firstEventTime: string, lastEventTime: string, lastUpdateTime: string,
 *   resolvedTime: string | null, comments: Comment[],
 *   device: { dnsName: string, id: string }, process: { fileName: string, commandLine: string, processId: number, sha1: string, sha256: string },
 *   account: { name: string, domain: string, sid: string, upn: string }, evidence: import('./evidence').Evidence[] }} Alert
 *   evidence: the alert's other entities (files, IPs, URLs, mailboxes, …)
 *   severity null: the incident's (alerts created with their incident follow it)
 * @typedef {{ id: number, title: string, severity: string, status: string, classification: string, determination: string,
 *   assignedTo: string | null, tags: string[], systemTags: string[], comments: Comment[], createdTime: string,
 *   lastUpdateTime: string, redirectIncidentId: number | null, lastModifiedBy: string | null,
 *   alerts: Alert[] }} Incident
 * @typedef {{ title?: string, severity?: string, status?: string, classification?: string, determination?: string,
 *   assignedTo?: string | null, tags?: string[], comment?: string, devices?: string[],
 *   createdTime?: string | number, lastUpdateTime?: string | number }} IncidentFields
 * @typedef {import('./index').RouteContext} RouteContext
 */

const camel = (/** @type {string} */ s) => s[0].toLowerCase() + s.slice(1);

/**
 * An enum in its XDR (canonical) spelling plus its Graph spelling.
 * @param {string} name @param {string[]} values @param {Record<string, string>} [graphNames] where Graph differs from camelCase
 */
function enumOf(name, values, graphNames = {}) {
	const toGraph = (/** @type {string} */ v) => graphNames[v] ?? camel(v);
	const fromXdr = Object.fromEntries(values.map((v) => [v.toLowerCase(), v]));
	const fromGraph = Object.fromEntries(values.map((v) => [toGraph(v).toLowerCase(), v]));
	return { name, toGraph, fromXdr, fromGraph, fromAny: { ...fromXdr, ...fromGraph } };
}
/** @typedef {ReturnType<typeof enumOf>} Enum */

const STATUS = enumOf('status', ['Active', 'Resolved', 'InProgress', 'Redirected']);
const SEVERITY = enumOf('severity', ['Informational', 'Low', 'Medium', 'High', 'UnSpecified'], {
	UnSpecified: 'unknown',
});
const CLASSIFICATION = enumOf('classification', [
	'Unknown',
	'FalsePositive',
	'TruePositive',
	'InformationalExpectedActivity',
]);
const DETERMINATION = enumOf(
	'determination',
	[
		'NotAvailable',
		'Apt',
		'Malware',
		'SecurityPersonnel',
		'SecurityTesting',
		'UnwantedSoftware',
		'Other',
		'MultiStagedAttack',
		'CompromisedAccount',
		'Phishing',
		'MaliciousUserActivity',
		'NotMalicious',
		'NotEnoughDataToValidate',
		'ConfirmedUserActivity',
		'LineOfBusinessApplication',
	],
	{ NotAvailable: 'unknown', ConfirmedUserActivity: 'confirmedActivity' },
);

/**
 * What a PATCH may send as determination where Microsoft's write pages spell it otherwise than the store:
 * removed values are refused with a 400 (as Microsoft does), added ones name the stored value.
 * @param {string[]} removed @param {Record<string, string>} added
 */
function writeSpelling(removed, added) {
	const gone = new Set(removed.map((v) => v.toLowerCase()));
	return {
		...Object.fromEntries(Object.entries(DETERMINATION.fromXdr).filter(([key]) => !gone.has(key))),
		...Object.fromEntries(Object.entries(added).map(([key, value]) => [key.toLowerCase(), value])),
	};
}
// defender-xdr/api-update-incidents.md: Apt and SecurityPersonnel deprecated (Aug 2022); NoEnoughDataToValidate,
// ConfirmedActivity, Clean; NotMalicious is what Cortex XSOAR's Microsoft365Defender sends.
const XDR_DETERMINATION_WRITE = writeSpelling(
	['Apt', 'SecurityPersonnel', 'NotEnoughDataToValidate', 'ConfirmedUserActivity'],
	{
		NoEnoughDataToValidate: 'NotEnoughDataToValidate',
		ConfirmedActivity: 'ConfirmedUserActivity',
		Clean: 'NotMalicious',
	},
);
// defender-endpoint/api/update-alert.md: CompromisedUser, ConfirmedActivity, NotMalicious, InsufficientData
// (alerts.md, the resource: Clean).
const MDE_DETERMINATION_WRITE = writeSpelling(
	[
		'Apt',
		'SecurityPersonnel',
		'NotEnoughDataToValidate',
		'ConfirmedUserActivity',
		'CompromisedAccount',
	],
	{
		InsufficientData: 'NotEnoughDataToValidate',
		ConfirmedActivity: 'ConfirmedUserActivity',
		CompromisedUser: 'CompromisedAccount',
		Clean: 'NotMalicious',
	},
);

const ENUMS = [STATUS, SEVERITY, CLASSIFICATION, DETERMINATION];
const ALERT_STATUS = enumOf('status', ['New', 'InProgress', 'Resolved']);
const DETECTION_SOURCE = enumOf(
	'detectionSource',
	[
		'WindowsDefenderAv',
		'WindowsDefenderSmartScreen',
		'WindowsDefenderAtp',
		'CustomerTI',
		'AutomatedInvestigation',
		'CustomDetection',
		'MTP',
	],
	{
		WindowsDefenderAv: 'antivirus',
		WindowsDefenderSmartScreen: 'smartScreen',
		WindowsDefenderAtp: 'microsoftDefenderForEndpoint',
		CustomerTI: 'customTi',
		MTP: 'microsoft365Defender',
	},
);

/** @param {'fromXdr' | 'fromGraph'} spelling @param {string[]} enums @returns {Record<string, import('./odata').FilterField>} */
const enumFilters = (spelling, enums) =>
	Object.fromEntries(
		ENUMS.filter((en) => enums.includes(en.name)).map((en) => [
			en.name,
			{ field: en.name, kind: 'enum', values: en[spelling] },
		]),
	);
const XDR_FILTER = {
	lastUpdateTime: { field: 'lastUpdateTime', kind: /** @type {const} */ ('datetime') },
	createdTime: { field: 'createdTime', kind: /** @type {const} */ ('datetime') },
	assignedTo: { field: 'assignedTo', kind: /** @type {const} */ ('string') },
	...enumFilters('fromXdr', ['status']),
};
const GRAPH_FILTER = {
	lastUpdateDateTime: { field: 'lastUpdateTime', kind: /** @type {const} */ ('datetime') },
	createdDateTime: { field: 'createdTime', kind: /** @type {const} */ ('datetime') },
	assignedTo: { field: 'assignedTo', kind: /** @type {const} */ ('string') },
	...enumFilters('fromGraph', ['status', 'severity', 'classification', 'determination']),
};

const TITLES = [
	'Multi-stage incident involving Execution & Discovery',
	'Suspicious PowerShell command line',
	'Ransomware activity on one endpoint',
	'Credential access attempt via LSASS',
	'Phishing email delivered to a mailbox',
	'Suspicious sign-in from an unusual location',
];

/** @param {Enum} en @param {unknown} value @param {Record<string, string>} accepted @param {string} [code] */
function enumValue(en, value, accepted, code = 'BadRequest') {
	const canonical = typeof value === 'string' ? accepted[value.toLowerCase()] : undefined;
	if (!canonical) {
		const allowed = [
			...new Set(
				Object.values(accepted).map((v) => (accepted === en.fromGraph ? en.toGraph(v) : v)),
			),
		];
		throw new HttpError(
			400,
			code,
			`Invalid value '${String(value)}' for field '${en.name}'. Allowed values: ${allowed.join(', ')}.`,
		);
	}
	return canonical;
}

/**
 * Neutral control-function fields with enums in either API's spelling made canonical.
 * @param {IncidentFields} fields
 */
function canonicalFields(fields) {
	const result = { ...fields };
	for (const en of ENUMS) {
		const key = /** @type {'status' | 'severity' | 'classification' | 'determination'} */ (en.name);
		if (fields[key] !== undefined) result[key] = enumValue(en, fields[key], en.fromAny);
	}
	return result;
}

/** @param {string} field @param {unknown} value */
function stringList(field, value) {
	if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
		throw new HttpError(
			400,
			'BadRequest',
			`Invalid value for field '${field}': expected an array of strings.`,
		);
	}
	return [...value];
}

const hex = (/** @type {number} */ bytes) => crypto.randomBytes(bytes).toString('hex');

/**
 * @param {{ apiBases: Record<'xdr' | 'graph', string>, getTenant: (idOrDomain: string) => { id: string },
 *   machineIdOf?: (tenantId: string, dnsName: string) => string | undefined }} options
 *   machineIdOf: the id of a known machine, so that alerts on it point at it
 */
function createIncidents({ apiBases, getTenant, machineIdOf = () => undefined }) {
	/** @type {Map<string, { nextId: number, incidents: Map<number, Incident> }>} */
	const stores = new Map();

	/** @param {string} tenantIdOrDomain */
	function storeOf(tenantIdOrDomain) {
		const tenantId = getTenant(tenantIdOrDomain).id;
		let store = stores.get(tenantId);
		if (!store) {
			// Distinct id ranges per tenant make cross-tenant mix-ups visible in tests.
			store = { nextId: 100001 + 100000 * stores.size, incidents: new Map() };
			stores.set(tenantId, store);
		}
		return store;
	}

	/** Newest update first, then higher id: pages shift as incidents change, like the real lists. */
	function sorted(/** @type {string} */ tenantId) {
		return [...storeOf(tenantId).incidents.values()].sort((a, b) =>
			a.lastUpdateTime < b.lastUpdateTime
				? 1
				: a.lastUpdateTime > b.lastUpdateTime
					? -1
					: b.id - a.id,
		);
	}

	/** @param {string} tenantId @param {string} rawId */
	function find(tenantId, rawId) {
		const incident = /^\d+$/.test(rawId)
			? storeOf(tenantId).incidents.get(Number(rawId))
			: undefined;
		if (!incident) throw new HttpError(404, 'NotFound', `Incident ${rawId} not found`);
		return incident;
	}

	/**
	 * @param {string} tenantId @param {number} incidentId @param {string} title @param {string} createdTime @param {string} dnsName
	 * @param {string} [deviceId] @returns {Alert}
	 */
	function makeAlert(tenantId, incidentId, title, createdTime, dnsName, deviceId) {
		const user = ['alice', 'bob', 'carol'][incidentId % 3];
		return {
			id: `da${Date.now()}${hex(4)}_${String(incidentId).slice(-6)}`,
			incidentId,
			title,
			description: `${title} was observed on ${dnsName}.`,
			category: 'Execution',
			severity: null,
			status: 'New',
			classification: null,
			determination: null,
			assignedTo: null,
			detectionSource: 'WindowsDefenderAv',
			threatFamilyName: null,
			investigationId: null,
			investigationState: 'UnsupportedAlertType',
			createdTime,
			firstEventTime: createdTime,
			lastEventTime: createdTime,
			lastUpdateTime: createdTime,
			resolvedTime: null,
			comments: [],
			device: {
				dnsName,
				id:
					deviceId ?? machineIdOf(tenantId, dnsName) ?? knownDeviceId(tenantId, dnsName) ?? hex(20),
			},
			process: {
				fileName: 'powershell.exe',
				commandLine: 'powershell.exe -enc SQBFAFgA',
				processId: 4000 + (incidentId % 1000),
				sha1: hex(20),
				sha256: hex(32),
			},
			account: {
				name: user,
				domain: 'CONTOSO',
				sid: `S-1-5-21-1004336348-1177238915-682003330-${1000 + (incidentId % 100)}`,
				upn: `${user}@contoso.com`,
			},
			evidence: [],
		};
	}

	/** Alerts on the same DNS name name the same device, as Defender's do. @param {string} tenantId @param {string} dnsName */
	function knownDeviceId(tenantId, dnsName) {
		return alertEntries(tenantId).find(
			(e) => e.alert.device.dnsName.toLowerCase() === dnsName.toLowerCase(),
		)?.alert.device.id;
	}

	// ---- control functions (neutral fields, canonical results) ----

	/** @param {string} tenantId @param {IncidentFields} [fields] */
	function createIncident(tenantId, fields = {}) {
		const store = storeOf(tenantId);
		const id = store.nextId++;
		const f = canonicalFields({
			severity: 'Medium',
			status: 'Active',
			classification: 'Unknown',
			determination: 'NotAvailable',
			...fields,
		});
		const createdTime = toApiTime(f.createdTime);
		const title = f.title ?? TITLES[id % TITLES.length];
		/** @type {Incident} */
		const incident = {
			id,
			title,
			severity: /** @type {string} */ (f.severity),
			status: /** @type {string} */ (f.status),
			classification: /** @type {string} */ (f.classification),
			determination: /** @type {string} */ (f.determination),
			assignedTo: f.assignedTo ?? null,
			tags: f.tags ? stringList('tags', f.tags) : [],
			systemTags: [],
			comments: f.comment ? [{ comment: f.comment, createdBy: 'emulator', createdTime }] : [],
			createdTime,
			lastUpdateTime: f.lastUpdateTime === undefined ? createdTime : toApiTime(f.lastUpdateTime),
			redirectIncidentId: null,
			lastModifiedBy: null,
			alerts: (f.devices ?? [defaultDevice(id)]).map((dns) =>
				makeAlert(tenantId, id, title, createdTime, dns),
			),
		};
		store.incidents.set(id, incident);
		return structuredClone(incident);
	}

	/**
	 * Creates `count` incidents spread over the last `count` minutes (oldest first); every seventh
	 * one shares its predecessor's lastUpdateTime, as real incidents sometimes do.
	 * @param {string} tenantId @param {number} count @param {IncidentFields} [overrides]
	 */
	function seedIncidents(tenantId, count, overrides = {}) {
		const start = Date.now() - count * 60_000;
		const severities = ['High', 'Medium', 'Low', 'Informational'];
		const statuses = ['Active', 'Active', 'InProgress', 'Resolved'];
		const created = [];
		for (let i = 0; i < count; i++) {
			const createdTime = toApiTime(start + i * 60_000);
			/** @type {string} */
			const lastUpdateTime =
				i % 7 === 6 ? created[i - 1].lastUpdateTime : toApiTime(start + i * 60_000 + 5_000);
			created.push(
				createIncident(tenantId, {
					severity: severities[i % severities.length],
					status: statuses[i % statuses.length],
					assignedTo: i % 3 === 0 ? 'analyst@contoso.com' : null,
					tags: i % 5 === 0 ? ['seed'] : [],
					createdTime,
					lastUpdateTime,
					...overrides,
				}),
			);
		}
		return created;
	}

	/**
	 * Changes an incident as a portal user would (`author` names them on a comment and in Graph's
	 * lastModifiedBy); lastUpdateTime moves to now unless given.
	 * @param {string} tenantId @param {number} id @param {IncidentFields} fields @param {string} [author]
	 */
	function updateIncident(tenantId, id, fields, author = 'emulator') {
		const incident = find(tenantId, String(id));
		applyChanges(incident, canonicalFields(fields), author);
		return structuredClone(incident);
	}

	/** @param {Incident} incident @param {IncidentFields} changes (enums already canonical) @param {string} author */
	function applyChanges(incident, changes, author) {
		const now = toApiTime(changes.lastUpdateTime);
		for (const key of /** @type {const} */ ([
			'title',
			'severity',
			'status',
			'classification',
			'determination',
		])) {
			if (changes[key] !== undefined) incident[key] = /** @type {string} */ (changes[key]);
		}
		if (changes.assignedTo !== undefined) incident.assignedTo = changes.assignedTo;
		if (changes.tags !== undefined) incident.tags = stringList('tags', changes.tags);
		if (changes.comment !== undefined)
			incident.comments.push({ comment: changes.comment, createdBy: author, createdTime: now });
		incident.lastUpdateTime = now;
		incident.lastModifiedBy = author;
	}

	const defaultDevice = (/** @type {number} */ incidentId) =>
		`ws-${String(incidentId).slice(-4)}.contoso.local`;

	/**
	 * Adds an alert to an incident, or to a new one when `incidentId` is omitted (Defender correlates every
	 * alert into an incident); the incident's lastUpdateTime moves up to the alert's creation. Returns the
	 * live alert for the caller to fill in.
	 * @param {string} tenantId
	 * @param {{ incidentId?: number, title: string, severity: string, createdTime: string, dnsName?: string, deviceId?: string }} spec
	 */
	function attachAlert(tenantId, { incidentId, title, severity, createdTime, dnsName, deviceId }) {
		const incident =
			incidentId === undefined
				? find(
						tenantId,
						String(createIncident(tenantId, { title, severity, createdTime, devices: [] }).id),
					)
				: find(tenantId, String(incidentId));
		const alert = makeAlert(
			tenantId,
			incident.id,
			title,
			createdTime,
			dnsName ?? defaultDevice(incident.id),
			deviceId,
		);
		incident.alerts.push(alert);
		if (createdTime > incident.lastUpdateTime) incident.lastUpdateTime = createdTime;
		return alert;
	}

	/** Every alert of the tenant with its incident (live objects). @param {string} tenantId */
	function alertEntries(tenantId) {
		return [...storeOf(tenantId).incidents.values()].flatMap((incident) =>
			incident.alerts.map((alert) => ({ alert, incident })),
		);
	}

	/** @param {string} tenantId @param {number} id */
	function getIncident(tenantId, id) {
		const incident = storeOf(tenantId).incidents.get(Number(id));
		return incident ? structuredClone(incident) : null;
	}

	/** @param {string} tenantId all incidents in list order */
	function listIncidents(tenantId) {
		return structuredClone(sorted(tenantId));
	}

	// ---- rendering ----

	/** @param {Incident} inc @param {string} tenantId */
	const webUrl = (inc, tenantId) =>
		`https://security.microsoft.com/incidents/${inc.id}?tid=${tenantId}`;

	/** @param {Incident} inc @param {string} tenantId */
	function toXdr(inc, tenantId) {
		const {
			id,
			title,
			createdTime,
			lastUpdateTime,
			assignedTo,
			classification,
			determination,
			status,
			severity,
			tags,
			comments,
		} = inc;
		return {
			incidentId: id,
			incidentUri: webUrl(inc, tenantId),
			redirectIncidentId: inc.redirectIncidentId,
			incidentName: title,
			createdTime,
			lastUpdateTime,
			assignedTo,
			classification,
			determination,
			status,
			severity,
			tags,
			comments,
			alerts: inc.alerts.map((a) => {
				const at = a.createdTime;
				const user = {
					accountName: a.account.name,
					domainName: a.account.domain,
					userSid: a.account.sid,
					aadUserId: null,
					userPrincipalName: a.account.upn,
				};
				return {
					alertId: a.id,
					providerAlertId: a.id,
					incidentId: id,
					serviceSource: 'MicrosoftDefenderForEndpoint',
					creationTime: at,
					lastUpdatedTime: a.lastUpdateTime,
					resolvedTime: a.resolvedTime,
					firstActivity: a.firstEventTime,
					lastActivity: a.lastEventTime,
					title: a.title,
					description: a.description,
					category: a.category,
					status: a.status,
					severity: a.severity ?? severity,
					investigationId: a.investigationId,
					investigationState: a.investigationState,
					classification: a.classification,
					determination: a.determination,
					detectionSource: a.detectionSource,
					assignedTo: a.assignedTo,
					threatFamilyName: a.threatFamilyName,
					mitreTechniques: ['T1059.001'],
					devices: [
						{
							mdatpDeviceId: a.device.id,
							aadDeviceId: null,
							deviceDnsName: a.device.dnsName,
							osPlatform: 'Windows11',
							version: '23H2',
							osProcessor: 'x64',
							osBuild: 22631,
							healthStatus: 'Active',
							riskScore: 'High',
							rbacGroupName: null,
							firstSeen: at,
							tags: [],
							defenderAvStatus: 'Updated',
							onboardingStatus: 'Onboarded',
							loggedOnUsers: [{ accountName: user.accountName, domainName: user.domainName }],
						},
					],
					entities: [
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
							deviceId: a.device.id,
							verdict: 'Suspicious',
							remediationStatus: 'None',
						},
						{
							entityType: 'User',
							evidenceCreationTime: at,
							...user,
							verdict: 'Suspicious',
							remediationStatus: 'None',
						},
						...a.evidence.map((e) => toXdrEntity(e, at)),
					],
				};
			}),
		};
	}

	/** @param {Incident} inc @param {string} tenantId @param {boolean} withAlerts */
	function toGraph(inc, tenantId, withAlerts) {
		return {
			id: String(inc.id),
			tenantId,
			status: STATUS.toGraph(inc.status),
			incidentWebUrl: webUrl(inc, tenantId),
			redirectIncidentId: inc.redirectIncidentId === null ? null : String(inc.redirectIncidentId),
			displayName: inc.title,
			description: null,
			summary: null,
			createdDateTime: inc.createdTime,
			lastUpdateDateTime: inc.lastUpdateTime,
			assignedTo: inc.assignedTo,
			classification: CLASSIFICATION.toGraph(inc.classification),
			determination: DETERMINATION.toGraph(inc.determination),
			severity: SEVERITY.toGraph(inc.severity),
			customTags: inc.tags,
			systemTags: inc.systemTags,
			lastModifiedBy: inc.lastModifiedBy,
			comments: inc.comments.map(toGraphComment),
			...(withAlerts ? { alerts: inc.alerts.map((a) => graphAlert(a, inc, tenantId)) } : {}),
		};
	}

	/** @param {Comment} c */
	const toGraphComment = (c) => ({
		comment: c.comment,
		createdByDisplayName: c.createdBy,
		createdDateTime: c.createdTime,
	});

	/** @param {Alert} a @param {Incident} inc @param {string} tenantId */
	function graphAlert(a, inc, tenantId) {
		const at = a.createdTime;
		const evidence = { createdDateTime: at, verdict: 'suspicious', remediationStatus: 'none' };
		return {
			id: a.id,
			providerAlertId: a.id,
			incidentId: String(inc.id),
			status: ALERT_STATUS.toGraph(a.status),
			severity: SEVERITY.toGraph(a.severity ?? inc.severity),
			classification: a.classification && CLASSIFICATION.toGraph(a.classification),
			determination: a.determination && DETERMINATION.toGraph(a.determination),
			serviceSource: 'microsoftDefenderForEndpoint',
			detectionSource: DETECTION_SOURCE.toGraph(a.detectionSource),
			productName: 'Microsoft Defender for Endpoint',
			title: a.title,
			description: a.description,
			category: a.category,
			createdDateTime: at,
			lastUpdateDateTime: a.lastUpdateTime,
			firstActivityDateTime: a.firstEventTime,
			lastActivityDateTime: a.lastEventTime,
			resolvedDateTime: a.resolvedTime,
			assignedTo: a.assignedTo,
			alertWebUrl: `https://security.microsoft.com/alerts/${a.id}?tid=${tenantId}`,
			incidentWebUrl: webUrl(inc, tenantId),
			tenantId,
			threatFamilyName: a.threatFamilyName,
			mitreTechniques: ['T1059.001'],
			comments: a.comments.map(toGraphComment),
			evidence: [
				{
					'@odata.type': '#microsoft.graph.security.deviceEvidence',
					...evidence,
					deviceDnsName: a.device.dnsName,
					mdeDeviceId: a.device.id,
					osPlatform: 'Windows11',
					healthStatus: 'active',
					riskScore: 'high',
					loggedOnUsers: [{ accountName: a.account.name, domainName: a.account.domain }],
				},
				{
					'@odata.type': '#microsoft.graph.security.processEvidence',
					...evidence,
					processId: a.process.processId,
					mdeDeviceId: a.device.id,
					processCommandLine: a.process.commandLine,
					imageFile: {
						fileName: a.process.fileName,
						filePath: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0',
						sha1: a.process.sha1,
						sha256: a.process.sha256,
					},
					userAccount: {
						accountName: a.account.name,
						domainName: a.account.domain,
						userSid: a.account.sid,
					},
				},
				{
					'@odata.type': '#microsoft.graph.security.userEvidence',
					...evidence,
					userAccount: {
						accountName: a.account.name,
						domainName: a.account.domain,
						userSid: a.account.sid,
						userPrincipalName: a.account.upn,
						azureAdUserId: null,
					},
				},
				...a.evidence.map((e) => toGraphEvidence(e, at)),
			],
		};
	}

	// ---- API routes ----

	/** @param {URLSearchParams} query */
	function graphExpand(query) {
		const expand = query.get('$expand');
		if (expand === null) return false;
		if (expand.trim().toLowerCase() !== 'alerts') {
			throw new HttpError(
				400,
				'BadRequest',
				`Could not find a property named '${expand}' on type 'microsoft.graph.security.incident'.`,
			);
		}
		return true;
	}

	/** @param {RouteContext} ctx @param {number} max @param {Record<string, import('./odata').FilterField>} fields @param {string} typeName */
	function listPage(ctx, max, fields, typeName) {
		const { top, skip } = paging(ctx.query, max);
		const filter = ctx.query.get('$filter');
		const predicate = filter ? parseFilter(filter, fields, typeName) : () => true;
		const matching = sorted(ctx.tenantId).filter(predicate);
		return {
			page: matching.slice(skip, skip + top),
			more: top > 0 && skip + top < matching.length,
			next: skip + top,
		};
	}

	/**
	 * The changes a PATCH body asks for, validated; XDR and Graph differ in enum spelling and the tags name.
	 * @param {RouteContext} ctx @param {'fromXdr' | 'fromGraph'} spelling @param {'tags' | 'customTags'} tagsField
	 */
	async function patchChanges(ctx, spelling, tagsField) {
		const body = await ctx.body();
		/** @type {IncidentFields} */
		const changes = {};
		for (const en of [STATUS, CLASSIFICATION, DETERMINATION]) {
			// severity is read-only on both APIs
			const key = /** @type {'status' | 'classification' | 'determination'} */ (en.name);
			const accepted =
				en === DETERMINATION && spelling === 'fromXdr' ? XDR_DETERMINATION_WRITE : en[spelling];
			if (body[key] !== undefined) changes[key] = enumValue(en, body[key], accepted);
		}
		const textFields = spelling === 'fromXdr' ? ['assignedTo', 'comment'] : ['assignedTo'];
		for (const key of /** @type {('assignedTo' | 'comment')[]} */ (textFields)) {
			const value = body[key];
			if (value === undefined || (value === null && key === 'comment')) continue;
			if (value !== null && typeof value !== 'string')
				throw new HttpError(
					400,
					'BadRequest',
					`Invalid value for field '${key}': expected a string.`,
				);
			changes[key] = value;
		}
		if (body[tagsField] !== undefined) changes.tags = stringList(tagsField, body[tagsField]);
		return changes;
	}

	const XDR_READ = ['Incident.Read.All', 'Incident.ReadWrite.All'];
	const GRAPH_READ = ['SecurityIncident.Read.All', 'SecurityIncident.ReadWrite.All'];
	/**
	 * How Defender names an app-only writer: `API-App:` then the app. Microsoft's pages only say "the person
	 * or app name" (graph security-alertcomment.md); a Graph response recorded from a real tenant (2024-06)
	 * shows `API-App:<app display name>`. Emulated apps have no display name, so their client ID stands in.
	 */
	const author = (/** @type {RouteContext} */ ctx) => `API-App:${ctx.appid}`;
	const graphContext = `${apiBases.graph}/v1.0/$metadata#security/incidents`;

	/** @type {import('./index').Route[]} */
	const routes = [
		{
			api: 'xdr',
			method: 'GET',
			path: /^\/api\/incidents\/?$/i,
			category: 'incidentList',
			roles: XDR_READ,
			handle: (ctx) => {
				const { page, more, next } = listPage(ctx, 100, XDR_FILTER, 'Incident');
				return {
					'@odata.context': `${apiBases.xdr}/api/$metadata#Incidents`,
					value: page.map((inc) => toXdr(inc, ctx.tenantId)),
					...(more
						? { '@odata.nextLink': nextLink(`${apiBases.xdr}/api/incidents`, ctx.query, next) }
						: {}),
				};
			},
		},
		{
			api: 'xdr',
			method: 'GET',
			path: /^\/api\/incidents\/([^/]+)$/i,
			category: 'incidentGet',
			roles: XDR_READ,
			handle: (ctx) => ({
				'@odata.context': `${apiBases.xdr}/api/$metadata#Incidents/$entity`,
				...toXdr(find(ctx.tenantId, ctx.params[0]), ctx.tenantId),
			}),
		},
		{
			api: 'xdr',
			method: 'PATCH',
			path: /^\/api\/incidents\/([^/]+)$/i,
			category: 'incidentUpdate',
			roles: ['Incident.ReadWrite.All'],
			handle: async (ctx) => {
				const incident = find(ctx.tenantId, ctx.params[0]);
				applyChanges(incident, await patchChanges(ctx, 'fromXdr', 'tags'), author(ctx));
				return {
					'@odata.context': `${apiBases.xdr}/api/$metadata#Incidents/$entity`,
					...toXdr(incident, ctx.tenantId),
				};
			},
		},
		{
			api: 'graph',
			method: 'GET',
			path: /^\/v1\.0\/security\/incidents\/?$/i,
			category: 'incidentList',
			roles: GRAPH_READ,
			handle: (ctx) => {
				const withAlerts = graphExpand(ctx.query);
				const { page, more, next } = listPage(
					ctx,
					50,
					GRAPH_FILTER,
					'microsoft.graph.security.incident',
				);
				return {
					'@odata.context': withAlerts ? `${graphContext}(alerts())` : graphContext,
					value: page.map((inc) => toGraph(inc, ctx.tenantId, withAlerts)),
					...(more
						? {
								'@odata.nextLink': nextLink(
									`${apiBases.graph}/v1.0/security/incidents`,
									ctx.query,
									next,
								),
							}
						: {}),
				};
			},
		},
		{
			api: 'graph',
			method: 'GET',
			path: /^\/v1\.0\/security\/incidents\/([^/]+)$/i,
			category: 'incidentGet',
			roles: GRAPH_READ,
			handle: (ctx) => ({
				'@odata.context': `${graphContext}/$entity`,
				...toGraph(find(ctx.tenantId, ctx.params[0]), ctx.tenantId, graphExpand(ctx.query)),
			}),
		},
		{
			api: 'graph',
			method: 'PATCH',
			path: /^\/v1\.0\/security\/incidents\/([^/]+)$/i,
			category: 'incidentUpdate',
			roles: ['SecurityIncident.ReadWrite.All'],
			handle: async (ctx) => {
				const incident = find(ctx.tenantId, ctx.params[0]);
				applyChanges(incident, await patchChanges(ctx, 'fromGraph', 'customTags'), author(ctx));
				return {
					'@odata.context': `${graphContext}/$entity`,
					...toGraph(incident, ctx.tenantId, false),
				};
			},
		},
		{
			api: 'graph',
			method: 'POST',
			path: /^\/v1\.0\/security\/incidents\/([^/]+)\/comments$/i,
			category: 'incidentUpdate',
			roles: ['SecurityIncident.ReadWrite.All'],
			handle: async (ctx) => {
				const incident = find(ctx.tenantId, ctx.params[0]);
				const body = await ctx.body();
				if (typeof body.comment !== 'string' || !body.comment) {
					throw new HttpError(
						400,
						'BadRequest',
						"The property 'comment' is required and must be a non-empty string.",
					);
				}
				applyChanges(incident, { comment: body.comment }, author(ctx));
				return {
					'@odata.context': `${apiBases.graph}/v1.0/$metadata#Collection(microsoft.graph.security.alertComment)`,
					value: incident.comments.map((c) => ({
						'@odata.type': '#microsoft.graph.security.alertComment',
						...toGraphComment(c),
					})),
				};
			},
		},
	];

	return {
		routes,
		createIncident,
		seedIncidents,
		updateIncident,
		getIncident,
		listIncidents,
		attachAlert,
		alertEntries,
		graphAlert,
	};
}

module.exports = {
	createIncidents,
	enumValue,
	ALERT_STATUS,
	SEVERITY,
	CLASSIFICATION,
	DETERMINATION,
	MDE_DETERMINATION_WRITE,
	DETECTION_SOURCE,
};
