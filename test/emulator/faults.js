// @ts-check
'use strict';
// What tests use to stress a client: the request log and counters, sliding-window quotas and
// injected faults.
const { HttpError, matchesText, formatWindow } = require('./util');

const CATEGORIES = [
	'incidentList',
	'incidentGet',
	'incidentUpdate',
	'hunting',
	'mde',
	'alerts',
	'liveResponse',
	'packageLink',
	'startInvestigation',
	'deviceVulnerabilities',
];
const FAULT_KINDS = ['status', 'reset', 'hang', 'malformedJson', 'html', 'delayMs', 'redirect'];

/**
 * @typedef {'login' | 'xdr' | 'graph' | 'mde' | 'blob' | 'openai'} Api
 * @typedef {{ method: string, api: Api, path: string, query: Record<string, string>, tenant: string | null,
 *   status: number, at: string, fault?: string }} RequestEntry status 0 = no answer (reset, hang, or still running)
 * @typedef {{ method?: string, api?: Api, path?: string }} FaultMatch path: substring of, or "/regex/" against, path + query
 * @typedef {{ status?: number, body?: unknown, headers?: Record<string, string>, reset?: boolean, hang?: boolean,
 *   malformedJson?: boolean, html?: boolean, delayMs?: number, redirect?: boolean }} Fault redirect: 302 to the same path on the
 *   emulator's second listener (another origin)
 * @typedef {{ method?: string, api?: Api, path?: string, status?: number, tenant?: string }} RequestFilter
 */

function createTraffic() {
	/** @type {RequestEntry[]} */
	let requests = [];
	/** @type {{ match: FaultMatch, remaining: number, fault: Fault }[]} */
	let faults = [];
	/** @type {Map<string, { limit: number, windowMs: number }>} */
	const quotas = new Map();
	/** @type {Map<string, number[]>} request times per (tenant, api, category) */
	const windows = new Map();

	/** @param {RequestEntry} entry */
	function record(entry) {
		requests.push(entry);
		return entry;
	}

	/** @param {RequestFilter} [filter] */
	function count(filter = {}) {
		return requests.filter(
			(r) =>
				(filter.method === undefined || r.method === filter.method.toUpperCase()) &&
				(filter.api === undefined || r.api === filter.api) &&
				(filter.status === undefined || r.status === filter.status) &&
				(filter.tenant === undefined || r.tenant === filter.tenant) &&
				(filter.path === undefined || matchesText(filter.path, r.path)),
		).length;
	}

	function resetCounters() {
		requests = [];
	}

	/** @param {{ match?: FaultMatch, times?: number, fault: Fault }} spec */
	function injectFault({ match = {}, times = 1, fault }) {
		const kinds = FAULT_KINDS.filter((k) => fault?.[/** @type {keyof Fault} */ (k)] !== undefined);
		if (kinds.length !== 1)
			throw new Error(`A fault needs exactly one of ${FAULT_KINDS.join(', ')}`);
		if (match.path !== undefined) matchesText(match.path, ''); // a bad /regex/ fails here, not per request
		faults.push({ match, remaining: times, fault });
	}

	function clearFaults() {
		faults = [];
	}

	/**
	 * The first matching fault with firings left, which loses one firing.
	 * @param {string} method @param {Api} api @param {string} target path and query as received
	 */
	function takeFault(method, api, target) {
		const hit = faults.find(
			({ match, remaining }) =>
				remaining > 0 &&
				(match.method === undefined || match.method.toUpperCase() === method) &&
				(match.api === undefined || match.api === api) &&
				(match.path === undefined || matchesText(match.path, target)),
		);
		if (!hit) return undefined;
		hit.remaining--;
		return hit.fault;
	}

	/** @param {{ category: string, limit: number, windowMs: number }} spec */
	function setQuota({ category, limit, windowMs }) {
		if (!CATEGORIES.includes(category))
			throw new Error(`Unknown quota category ${category} (use ${CATEGORIES.join(', ')})`);
		quotas.set(category, { limit, windowMs });
	}

	function clearQuotas() {
		quotas.clear();
		windows.clear();
	}

	/**
	 * Counts a request against its sliding window, or throws the 429 when the window is full.
	 * @param {string} tenant @param {Api} api @param {string} category
	 */
	function checkQuota(tenant, api, category) {
		const quota = quotas.get(category);
		if (!quota) return;
		const key = `${tenant}|${api}|${category}`;
		const now = Date.now();
		const times = (windows.get(key) ?? []).filter((t) => t > now - quota.windowMs);
		windows.set(key, times);
		if (times.length >= quota.limit) {
			const retryAfter = Math.max(1, Math.ceil((times[0] + quota.windowMs - now) / 1000));
			throw new HttpError(
				429,
				'TooManyRequests',
				`API calls quota exceeded! maximum allowed ${quota.limit} per ${formatWindow(quota.windowMs)}`,
				{
					'retry-after': String(retryAfter),
				},
			);
		}
		times.push(now);
	}

	return {
		get requests() {
			return requests;
		},
		record,
		count,
		resetCounters,
		injectFault,
		clearFaults,
		takeFault,
		setQuota,
		clearQuotas,
		checkQuota,
	};
}

module.exports = { createTraffic };
