// @ts-check
'use strict';
// Defender Vulnerability Management (vulnerabilities, software, security recommendations, exposure score)
// and automated investigations, per tenant.
const { HttpError, sendJson, toApiTime, requiredText } = require('./util');
const { listPage, enumValues } = require('./odata');

/**
 * @typedef {{ id: string, name: string, description: string, severity: string, cvssV3: number | null, publishedOn: string,
 *   updatedOn: string, publicExploit: boolean, exploitVerified: boolean, exploitInKit: boolean, exploitTypes: string[],
 *   exploitUris: string[], machineIds: string[] }} Vulnerability
 * @typedef {{ id: string, name: string, vendor: string, weaknesses: number, publicExploit: boolean, activeAlert: boolean,
 *   impactScore: number, machineIds: string[], vulnerabilityIds: string[],
 *   missingKbs: { id: string, name: string, osBuild: number | null, productsNames: string[], url: string, machineMissedOn: number, cveAddressed: number }[] }} Software
 * @typedef {{ id: string, productName: string, recommendationName: string, vendor: string, recommendationCategory: string,
 *   subCategory: string, severityScore: number, publicExploit: boolean, activeAlert: boolean, remediationType: string, status: string,
 *   configScoreImpact: number, exposureImpact: number, relatedComponent: string, machineIds: string[] }} Recommendation
 * @typedef {{ id: string, startTime: string, endTime: string | null, state: string, cancelledBy: string | null, statusDetails: string | null,
 *   machineId: string, computerDnsName: string, triggeringAlertId: string | null }} Investigation
 * @typedef {import('./index').RouteContext} RouteContext
 */

const SEVERITIES = ['Low', 'Medium', 'High', 'Critical'];
const STATES = [
	'Unknown',
	'Terminated',
	'SuccessfullyRemediated',
	'Benign',
	'Failed',
	'PartiallyRemediated',
	'Running',
	'PendingApproval',
	'PendingResource',
	'PartiallyInvestigated',
	'TerminatedByUser',
	'TerminatedBySystem',
	'Queued',
	'InnerFailure',
	'PreexistingAlert',
	'UnsupportedOs',
	'UnsupportedAlertType',
	'SuppressedAlert',
];
const VULNERABILITY_FILTER = {
	id: { field: 'id', kind: /** @type {const} */ ('string'), ci: true },
	name: { field: 'name', kind: /** @type {const} */ ('string'), ci: true },
	severity: {
		field: 'severity',
		kind: /** @type {const} */ ('enum'),
		values: enumValues(SEVERITIES),
	},
	cvssV3: { field: 'cvssV3', kind: /** @type {const} */ ('number') },
	publishedOn: { field: 'publishedOn', kind: /** @type {const} */ ('datetime') },
	updatedOn: { field: 'updatedOn', kind: /** @type {const} */ ('datetime') },
};
const SOFTWARE_FILTER = {
	id: { field: 'id', kind: /** @type {const} */ ('string'), ci: true },
	name: { field: 'name', kind: /** @type {const} */ ('string'), ci: true },
	vendor: { field: 'vendor', kind: /** @type {const} */ ('string'), ci: true },
};
const RECOMMENDATION_FILTER = {
	id: { field: 'id', kind: /** @type {const} */ ('string'), ci: true },
	productName: { field: 'productName', kind: /** @type {const} */ ('string'), ci: true },
	vendor: { field: 'vendor', kind: /** @type {const} */ ('string'), ci: true },
	recommendationCategory: {
		field: 'recommendationCategory',
		kind: /** @type {const} */ ('string'),
		ci: true,
	},
	status: { field: 'status', kind: /** @type {const} */ ('string'), ci: true },
};
const INVESTIGATION_FILTER = {
	id: { field: 'id', kind: /** @type {const} */ ('string'), ci: true },
	state: { field: 'state', kind: /** @type {const} */ ('enum'), values: enumValues(STATES) },
	machineId: { field: 'machineId', kind: /** @type {const} */ ('string'), ci: true },
	triggeringAlertId: {
		field: 'triggeringAlertId',
		kind: /** @type {const} */ ('string'),
		ci: true,
	},
	startTime: { field: 'startTime', kind: /** @type {const} */ ('datetime') },
};
const MAX_VULNERABILITY_PAGE = 8_000;
const MAX_PAGE = 10_000;

/**
 * @param {{ apiBases: Record<'mde', string>, getTenant: (idOrDomain: string) => { id: string },
 *   machines: ReturnType<typeof import('./machines').createMachines> }} options
 */
function createTvm({ apiBases, getTenant, machines }) {
	/** @type {Map<string, { vulnerabilities: Map<string, Vulnerability>, software: Map<string, Software>,
	 *   recommendations: Map<string, Recommendation>, investigations: Investigation[], nextInvestigation: number, score: number }>} */
	const stores = new Map();

	/** @param {string} tenantIdOrDomain */
	function storeOf(tenantIdOrDomain) {
		const tenantId = getTenant(tenantIdOrDomain).id;
		let store = stores.get(tenantId);
		if (!store) {
			store = {
				vulnerabilities: new Map(),
				software: new Map(),
				recommendations: new Map(),
				investigations: [],
				nextInvestigation: 1,
				score: 42.5,
			};
			stores.set(tenantId, store);
		}
		return store;
	}

	// ---- control functions ----

	/** @param {string} tenantId @param {Partial<Vulnerability> & { id: string }} fields */
	function addVulnerability(tenantId, fields) {
		/** @type {Vulnerability} */
		const record = {
			name: fields.id,
			description: `Summary of ${fields.id}`,
			severity: 'Medium',
			cvssV3: 6.5,
			publishedOn: toApiTime(Date.now() - 30 * 86_400_000),
			updatedOn: toApiTime(Date.now() - 86_400_000),
			publicExploit: false,
			exploitVerified: false,
			exploitInKit: false,
			exploitTypes: [],
			exploitUris: [],
			machineIds: [],
			...fields,
		};
		storeOf(tenantId).vulnerabilities.set(record.id.toUpperCase(), record);
		return render.vulnerability(record);
	}

	/**
	 * `count` generated CVEs (for paging and the benchmark), each on the given devices.
	 * @param {string} tenantId @param {number} count @param {{ machineIds?: string[] }} [options]
	 */
	function seedVulnerabilities(tenantId, count, { machineIds = [] } = {}) {
		for (let i = 0; i < count; i++) {
			addVulnerability(tenantId, {
				id: `CVE-2026-${String(10000 + i)}`,
				severity: SEVERITIES[i % SEVERITIES.length],
				cvssV3: 3 + (i % 70) / 10,
				machineIds,
			});
		}
		return storeOf(tenantId).vulnerabilities.size;
	}

	/** @param {string} tenantId @param {Partial<Software> & { vendor: string, name: string }} fields */
	function addSoftware(tenantId, fields) {
		/** @type {Software} */
		const record = {
			id: `${fields.vendor}-_-${fields.name}`,
			weaknesses: fields.vulnerabilityIds?.length ?? 0,
			publicExploit: false,
			activeAlert: false,
			impactScore: 0,
			machineIds: [],
			vulnerabilityIds: [],
			missingKbs: [],
			...fields,
		};
		storeOf(tenantId).software.set(record.id.toLowerCase(), record);
		return render.software(record);
	}

	/** @param {string} tenantId @param {Partial<Recommendation> & { id: string }} fields */
	function addRecommendation(tenantId, fields) {
		/** @type {Recommendation} */
		const record = {
			productName: 'windows_11',
			recommendationName: `Update ${fields.productName ?? 'Windows 11'}`,
			vendor: 'microsoft',
			recommendationCategory: 'Application',
			subCategory: '',
			severityScore: 5,
			publicExploit: false,
			activeAlert: false,
			remediationType: 'Update',
			status: 'Active',
			configScoreImpact: 0,
			exposureImpact: 1.5,
			relatedComponent: 'Windows 11',
			machineIds: [],
			...fields,
		};
		storeOf(tenantId).recommendations.set(record.id.toLowerCase(), record);
		return render.recommendation(record);
	}

	/** @param {string} tenantId @param {number} score */
	function setExposureScore(tenantId, score) {
		storeOf(tenantId).score = score;
	}

	/** @param {string} tenantId @param {Partial<Investigation> & { machineId: string }} fields */
	function addInvestigation(tenantId, fields) {
		const machine = machines.find(tenantId, fields.machineId);
		return newInvestigation(tenantId, {
			...fields,
			machineId: machine.id,
			computerDnsName: machine.computerDnsName,
		});
	}

	/** @param {string} tenantId @param {Partial<Investigation> & { machineId: string, computerDnsName: string }} fields */
	function newInvestigation(tenantId, fields) {
		const store = storeOf(tenantId);
		/** @type {Investigation} */
		const investigation = {
			id: String(store.nextInvestigation++),
			startTime: toApiTime(),
			endTime: null,
			state: 'Running',
			cancelledBy: null,
			statusDetails: null,
			triggeringAlertId: null,
			...fields,
		};
		store.investigations.push(investigation);
		return structuredClone(investigation);
	}

	// ---- rendering ----

	const render = {
		/** @param {Vulnerability} v */
		vulnerability: ({ machineIds, ...v }) => ({ ...v, exposedMachines: machineIds.length }),
		/** @param {Software} s */
		software: ({ machineIds, vulnerabilityIds, missingKbs, ...s }) => ({
			...s,
			exposedMachines: machineIds.length,
		}),
		/** @param {Recommendation} r */
		recommendation: ({ machineIds, ...r }) => ({
			...r,
			totalMachineCount: machineIds.length,
			exposedMachinesCount: machineIds.length,
			nonProductivityImpactedAssets: 0,
		}),
	};

	/** @param {string} tenantId @param {string[]} ids */
	const machineReferences = (tenantId, ids) =>
		ids
			.map((id) => machines.getMachine(tenantId, id))
			.filter((m) => m !== null)
			.map((m) => ({
				id: m.id,
				computerDnsName: m.computerDnsName,
				osPlatform: m.osPlatform,
				rbacGroupName: m.rbacGroupName,
			}));

	/**
	 * @template T @param {Map<string, T>} map @param {string} key @param {string} what
	 * @returns {T}
	 */
	function found(map, key, what) {
		const record = map.get(key.toLowerCase()) ?? map.get(key.toUpperCase());
		if (!record) throw new HttpError(404, 'NotFound', `${what} ${key} not found`);
		return record;
	}

	/** @param {string} typeName @param {unknown[]} value */
	const list = (typeName, value) => ({
		'@odata.context': `${apiBases.mde}/api/$metadata#${typeName}`,
		value,
	});

	/**
	 * @param {RouteContext} ctx @param {Record<string, any>[]} records @param {number} max @param {Record<string, any>} fields
	 * @param {string} typeName @param {string} path
	 */
	const page = (ctx, records, max, fields, typeName, path) => ({
		'@odata.context': `${apiBases.mde}/api/$metadata#${typeName}`,
		...listPage(records, ctx.query, { max, fields, typeName, base: `${apiBases.mde}${path}` }),
	});

	const VULN = ['Vulnerability.Read.All'];
	const SOFT = ['Software.Read.All'];
	const RECO = ['SecurityRecommendation.Read.All'];
	const ALERT_READ = ['Alert.Read.All', 'Alert.ReadWrite.All'];

	/** @type {import('./index').Route[]} */
	const routes = [
		{
			api: 'mde',
			method: 'GET',
			path: /^\/api\/vulnerabilities\/?$/i,
			category: 'mde',
			roles: VULN,
			handle: (ctx) =>
				page(
					ctx,
					[...storeOf(ctx.tenantId).vulnerabilities.values()].map(render.vulnerability),
					MAX_VULNERABILITY_PAGE,
					VULNERABILITY_FILTER,
					'Vulnerabilities',
					'/api/vulnerabilities',
				),
		},
		{
			api: 'mde',
			method: 'GET',
			path: /^\/api\/vulnerabilities\/([^/]+)$/i,
			category: 'mde',
			roles: VULN,
			handle: (ctx) => ({
				'@odata.context': `${apiBases.mde}/api/$metadata#Vulnerabilities/$entity`,
				...render.vulnerability(
					found(storeOf(ctx.tenantId).vulnerabilities, ctx.params[0], 'Vulnerability'),
				),
			}),
		},
		{
			api: 'mde',
			method: 'GET',
			path: /^\/api\/vulnerabilities\/([^/]+)\/machineReferences$/i,
			category: 'mde',
			roles: VULN,
			handle: (ctx) =>
				list(
					'MachineReferences',
					machineReferences(
						ctx.tenantId,
						found(storeOf(ctx.tenantId).vulnerabilities, ctx.params[0], 'Vulnerability').machineIds,
					),
				),
		},
		{
			api: 'mde',
			method: 'GET',
			path: /^\/api\/software\/?$/i,
			category: 'mde',
			roles: SOFT,
			handle: (ctx) =>
				page(
					ctx,
					[...storeOf(ctx.tenantId).software.values()].map(render.software),
					MAX_PAGE,
					SOFTWARE_FILTER,
					'Software',
					'/api/Software',
				),
		},
		{
			api: 'mde',
			method: 'GET',
			path: /^\/api\/software\/([^/]+)$/i,
			category: 'mde',
			roles: SOFT,
			handle: (ctx) => ({
				'@odata.context': `${apiBases.mde}/api/$metadata#Software/$entity`,
				...render.software(found(storeOf(ctx.tenantId).software, ctx.params[0], 'Software')),
			}),
		},
		{
			api: 'mde',
			method: 'GET',
			path: /^\/api\/software\/([^/]+)\/machineReferences$/i,
			category: 'mde',
			roles: SOFT,
			handle: (ctx) =>
				list(
					'MachineReferences',
					machineReferences(
						ctx.tenantId,
						found(storeOf(ctx.tenantId).software, ctx.params[0], 'Software').machineIds,
					),
				),
		},
		{
			api: 'mde',
			method: 'GET',
			path: /^\/api\/software\/([^/]+)\/vulnerabilities$/i,
			category: 'mde',
			roles: VULN,
			handle: (ctx) => {
				const store = storeOf(ctx.tenantId);
				const ids = found(store.software, ctx.params[0], 'Software').vulnerabilityIds;
				return list(
					'Vulnerabilities',
					ids
						.map((id) => store.vulnerabilities.get(id.toUpperCase()))
						.filter((v) => v !== undefined)
						.map(render.vulnerability),
				);
			},
		},
		{
			api: 'mde',
			method: 'GET',
			path: /^\/api\/software\/([^/]+)\/getmissingkbs$/i,
			category: 'mde',
			roles: SOFT,
			handle: (ctx) =>
				list(
					'MissingKbs',
					found(storeOf(ctx.tenantId).software, ctx.params[0], 'Software').missingKbs,
				),
		},
		{
			api: 'mde',
			method: 'GET',
			path: /^\/api\/recommendations\/?$/i,
			category: 'mde',
			roles: RECO,
			handle: (ctx) =>
				page(
					ctx,
					[...storeOf(ctx.tenantId).recommendations.values()].map(render.recommendation),
					MAX_PAGE,
					RECOMMENDATION_FILTER,
					'Recommendations',
					'/api/recommendations',
				),
		},
		{
			api: 'mde',
			method: 'GET',
			path: /^\/api\/recommendations\/([^/]+)$/i,
			category: 'mde',
			roles: RECO,
			handle: (ctx) => ({
				'@odata.context': `${apiBases.mde}/api/$metadata#Recommendations/$entity`,
				...render.recommendation(
					found(storeOf(ctx.tenantId).recommendations, ctx.params[0], 'Recommendation'),
				),
			}),
		},
		{
			api: 'mde',
			method: 'GET',
			path: /^\/api\/recommendations\/([^/]+)\/machineReferences$/i,
			category: 'mde',
			roles: RECO,
			handle: (ctx) =>
				list(
					'MachineReferences',
					machineReferences(
						ctx.tenantId,
						found(storeOf(ctx.tenantId).recommendations, ctx.params[0], 'Recommendation')
							.machineIds,
					),
				),
		},
		{
			api: 'mde',
			method: 'GET',
			path: /^\/api\/machines\/([^/]+)\/vulnerabilities$/i,
			category: 'deviceVulnerabilities',
			roles: VULN,
			handle: (ctx) => {
				const machine = machines.find(ctx.tenantId, ctx.params[0]);
				return list(
					'Vulnerabilities',
					[...storeOf(ctx.tenantId).vulnerabilities.values()]
						.filter((v) => v.machineIds.includes(machine.id))
						.map(render.vulnerability),
				);
			},
		},
		{
			api: 'mde',
			method: 'GET',
			path: /^\/api\/machines\/([^/]+)\/software$/i,
			category: 'mde',
			roles: SOFT,
			handle: (ctx) => {
				const machine = machines.find(ctx.tenantId, ctx.params[0]);
				return list(
					'Software',
					[...storeOf(ctx.tenantId).software.values()]
						.filter((s) => s.machineIds.includes(machine.id))
						.map(render.software),
				);
			},
		},
		{
			api: 'mde',
			method: 'GET',
			path: /^\/api\/machines\/([^/]+)\/recommendations$/i,
			category: 'mde',
			roles: RECO,
			handle: (ctx) => {
				const machine = machines.find(ctx.tenantId, ctx.params[0]);
				return list(
					'Recommendations',
					[...storeOf(ctx.tenantId).recommendations.values()]
						.filter((r) => r.machineIds.includes(machine.id))
						.map(render.recommendation),
				);
			},
		},
		{
			api: 'mde',
			method: 'GET',
			path: /^\/api\/exposureScore\/?$/i,
			category: 'mde',
			roles: ['Score.Read.All'],
			handle: (ctx) => ({
				'@odata.context': `${apiBases.mde}/api/$metadata#ExposureScore/$entity`,
				time: toApiTime(),
				score: storeOf(ctx.tenantId).score,
				rbacGroupId: null,
				rbacGroupName: null,
			}),
		},
		{
			api: 'mde',
			method: 'GET',
			path: /^\/api\/investigations\/?$/i,
			category: 'mde',
			roles: ALERT_READ,
			handle: (ctx) =>
				page(
					ctx,
					[...storeOf(ctx.tenantId).investigations].reverse(),
					MAX_PAGE,
					INVESTIGATION_FILTER,
					'Investigations',
					'/api/investigations',
				),
		},
		{
			api: 'mde',
			method: 'GET',
			path: /^\/api\/investigations\/([^/]+)$/i,
			category: 'mde',
			roles: ALERT_READ,
			handle: (ctx) => {
				const key = ctx.params[0].toLowerCase();
				const investigation = storeOf(ctx.tenantId).investigations.find(
					(i) => i.id === key || i.triggeringAlertId?.toLowerCase() === key,
				);
				if (!investigation)
					throw new HttpError(404, 'NotFound', `Investigation ${ctx.params[0]} not found`);
				return {
					'@odata.context': `${apiBases.mde}/api/$metadata#Investigations/$entity`,
					...investigation,
				};
			},
		},
		{
			api: 'mde',
			method: 'POST',
			path: /^\/api\/machines\/([^/]+)\/startInvestigation$/i,
			category: 'startInvestigation',
			roles: ['Alert.ReadWrite.All'],
			handle: async (ctx) => {
				const machine = machines.find(ctx.tenantId, ctx.params[0]);
				requiredText(await ctx.body(), 'Comment');
				const investigation = newInvestigation(ctx.tenantId, {
					machineId: machine.id,
					computerDnsName: machine.computerDnsName,
				});
				sendJson(ctx.res, 201, {
					'@odata.context': `${apiBases.mde}/api/$metadata#Investigations/$entity`,
					...investigation,
				});
			},
		},
	];

	return {
		routes,
		addVulnerability,
		seedVulnerabilities,
		addSoftware,
		addRecommendation,
		setExposureScore,
		addInvestigation,
	};
}

module.exports = { createTvm };
