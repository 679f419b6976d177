// @ts-check
'use strict';
// Defender for Endpoint indicators (custom threat intelligence, /mde/api/indicators), per tenant.
const net = require('node:net');
const { HttpError, toApiTime, prop, requiredText, oneOf } = require('./util');
const { listPage, enumValues } = require('./odata');

/**
 * @typedef {{ id: string, indicatorValue: string, indicatorType: string, action: string, application: string | null,
 *   source: string, sourceType: string, createdBy: string, createdBySource: string, title: string, description: string,
 *   recommendedActions: string | null, severity: string, expirationTime: string | null, generateAlert: boolean,
 *   rbacGroupNames: string[], rbacGroupIds: number[], mitreTechniques: string[], creationTimeDateTimeUtc: string,
 *   lastUpdateTime: string, lastUpdatedBy: string }} Indicator
 * @typedef {import('./index').RouteContext} RouteContext
 */

const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,63}$/i;
/** How each indicator type's value is checked, and the error code a bad value gets. */
const TYPES = /** @type {Record<string, { valid: (v: string) => boolean, code: string }>} */ ({
	FileSha1: { valid: (v) => /^[0-9a-f]{40}$/i.test(v), code: 'InvalidHashValue' },
	FileSha256: { valid: (v) => /^[0-9a-f]{64}$/i.test(v), code: 'InvalidHashValue' },
	FileMd5: { valid: (v) => /^[0-9a-f]{32}$/i.test(v), code: 'InvalidHashValue' },
	CertificateThumbprint: { valid: (v) => /^[0-9a-f]{40}$/i.test(v), code: 'InvalidHashValue' },
	IpAddress: { valid: (v) => net.isIP(v) !== 0, code: 'InvalidIpAddress' },
	DomainName: { valid: (v) => DOMAIN.test(v), code: 'InvalidDomainName' },
	Url: { valid: isUrl, code: 'InvalidUrl' },
});
const ACTIONS = [
	'Alert',
	'Warn',
	'Block',
	'Audit',
	'BlockAndRemediate',
	'AlertAndBlock',
	'Allowed',
];
const SEVERITIES = ['Informational', 'Low', 'Medium', 'High'];
const FILTER = {
	indicatorValue: { field: 'indicatorValue', kind: /** @type {const} */ ('string'), ci: true },
	indicatorType: {
		field: 'indicatorType',
		kind: /** @type {const} */ ('enum'),
		values: enumValues(Object.keys(TYPES)),
	},
	action: { field: 'action', kind: /** @type {const} */ ('enum'), values: enumValues(ACTIONS) },
};

/** An http(s) URL, with or without its scheme. @param {string} value */
function isUrl(value) {
	try {
		const url = new URL(value.includes('://') ? value : `http://${value}`);
		return (url.protocol === 'http:' || url.protocol === 'https:') && DOMAIN.test(url.hostname);
	} catch {
		return false;
	}
}

/** @param {string} field @param {string} message */
const invalid = (field, message) =>
	new HttpError(400, 'InvalidInput', `Invalid input ${field}: ${message}`);

/**
 * @param {{ apiBases: Record<'mde', string>, getTenant: (idOrDomain: string) => { id: string } }} options
 */
function createIndicators({ apiBases, getTenant }) {
	/** @type {Map<string, { nextId: number, indicators: Map<string, Indicator> }>} */
	const stores = new Map();

	/** @param {string} tenantIdOrDomain */
	function storeOf(tenantIdOrDomain) {
		const tenantId = getTenant(tenantIdOrDomain).id;
		let store = stores.get(tenantId);
		if (!store) {
			// Distinct id ranges per tenant, as for incidents.
			store = { nextId: 1001 + 100000 * stores.size, indicators: new Map() };
			stores.set(tenantId, store);
		}
		return store;
	}

	/** @param {string} tenantId @param {string} id */
	function getIndicator(tenantId, id) {
		const indicator = storeOf(tenantId).indicators.get(String(id));
		return indicator ? structuredClone(indicator) : null;
	}

	/** @param {string} tenantId all indicators, oldest first */
	function listIndicators(tenantId) {
		return structuredClone([...storeOf(tenantId).indicators.values()]);
	}

	/**
	 * Submits an indicator; one with the same type and value is updated instead (as the real API does).
	 * @param {RouteContext} ctx
	 */
	async function submit(ctx) {
		const body = await ctx.body();
		const indicatorValue = requiredText(body, 'indicatorValue');
		const indicatorType = oneOf(
			'indicatorType',
			requiredText(body, 'indicatorType'),
			Object.keys(TYPES),
		);
		const check = TYPES[indicatorType];
		if (!check.valid(indicatorValue)) {
			throw new HttpError(
				400,
				check.code,
				`Invalid value '${indicatorValue}' for field 'indicatorValue': not a valid ${indicatorType}`,
			);
		}
		const action = oneOf('action', requiredText(body, 'action'), ACTIONS);
		const title = requiredText(body, 'title');
		const description = requiredText(body, 'description');
		/** An optional property, checked by `ok`. @param {string} name @param {(v: any) => boolean} ok @param {string} expected @returns {any} */
		const optional = (name, ok, expected) => {
			const value = prop(body, name);
			if (value === undefined || value === null) return undefined;
			if (!ok(value)) throw invalid(name, `${expected} is expected`);
			return value;
		};
		const severity =
			prop(body, 'severity') == null
				? 'Informational'
				: oneOf('severity', prop(body, 'severity'), SEVERITIES);
		const expiration = optional(
			'expirationTime',
			(v) => typeof v === 'string' && !Number.isNaN(Date.parse(v)),
			'an ISO 8601 date/time',
		);
		const generateAlert =
			optional('generateAlert', (v) => typeof v === 'boolean', 'true or false') ?? false;
		// post-ti-indicator.md: GenerateAlert must be TRUE when the action is Audit.
		if (action === 'Audit' && generateAlert !== true)
			throw invalid('generateAlert', 'true is required when the action is Audit');
		const recommendedActions =
			optional('recommendedActions', (v) => typeof v === 'string', 'a string') ?? null;
		const application = optional('application', (v) => typeof v === 'string', 'a string') ?? null;
		const rbacGroupNames =
			optional(
				'rbacGroupNames',
				(v) => Array.isArray(v) && v.every((g) => typeof g === 'string'),
				'an array of strings',
			) ?? [];

		const store = storeOf(ctx.tenantId);
		const existing = [...store.indicators.values()].find(
			(i) =>
				i.indicatorType === indicatorType &&
				i.indicatorValue.toLowerCase() === indicatorValue.toLowerCase(),
		);
		const now = toApiTime();
		/** @type {Indicator} */
		const indicator = {
			id: existing?.id ?? String(store.nextId++),
			indicatorValue,
			indicatorType,
			action,
			application,
			source: ctx.appid,
			sourceType: 'AadApp',
			createdBy: existing?.createdBy ?? ctx.appid,
			createdBySource: 'PublicApi',
			title,
			description,
			recommendedActions,
			severity,
			expirationTime: expiration === undefined ? null : toApiTime(expiration),
			generateAlert,
			rbacGroupNames,
			rbacGroupIds: [],
			mitreTechniques: [],
			creationTimeDateTimeUtc: existing?.creationTimeDateTimeUtc ?? now,
			lastUpdateTime: now,
			lastUpdatedBy: ctx.appid,
		};
		store.indicators.set(indicator.id, indicator);
		return { '@odata.context': `${apiBases.mde}/api/$metadata#Indicators/$entity`, ...indicator };
	}

	const READ = ['Ti.Read.All', 'Ti.ReadWrite.All'];

	/** @type {import('./index').Route[]} */
	const routes = [
		{
			api: 'mde',
			method: 'GET',
			path: /^\/api\/indicators\/?$/i,
			category: 'mde',
			roles: READ,
			handle: (ctx) => ({
				'@odata.context': `${apiBases.mde}/api/$metadata#Indicators`,
				...listPage([...storeOf(ctx.tenantId).indicators.values()], ctx.query, {
					max: 10_000,
					fields: FILTER,
					typeName: 'Indicator',
					base: `${apiBases.mde}/api/indicators`,
				}),
			}),
		},
		{
			api: 'mde',
			method: 'POST',
			path: /^\/api\/indicators\/?$/i,
			category: 'mde',
			roles: ['Ti.ReadWrite.All'],
			handle: submit,
		},
		{
			api: 'mde',
			method: 'DELETE',
			path: /^\/api\/indicators\/([^/]+)$/i,
			category: 'mde',
			roles: ['Ti.ReadWrite.All'],
			handle: (ctx) => {
				if (!storeOf(ctx.tenantId).indicators.delete(ctx.params[0]))
					throw new HttpError(404, 'NotFound', `Indicator ${ctx.params[0]} not found`);
				ctx.res.writeHead(204);
				ctx.res.end();
			},
		},
	];

	return { routes, getIndicator, listIndicators };
}

module.exports = { createIndicators };
