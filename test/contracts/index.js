// @ts-check
'use strict';
// Microsoft's contracts (this folder's JSON files) as one API for the emulator (which refuses what
// they do not list), the contract test (which walks the node's options against them) and
// `npm run check:tenant` (which compares a real tenant's answers with them). See README.md here.
const fs = require('node:fs');
const path = require('node:path');

/** @typedef {'defenderXdr' | 'endpoint' | 'graph'} ContractApi */
/** @typedef {{ status: 400, code: string, message: string }} ContractError */
/** @typedef {'missing' | 'invalid' | 'query'} Refusal what kind of fault; each API names it its own way */

const FILES = {
	defenderXdr: 'defender-xdr.json',
	endpoint: 'defender-endpoint.json',
	graph: path.join('graph', 'endpoints.json'),
};
/** The emulator's names of the APIs (its URL prefixes). */
const EMULATOR_API = /** @type {const} */ ({ xdr: 'defenderXdr', mde: 'endpoint', graph: 'graph' });

/** @type {Record<string, any> | undefined} */
let cache;

/** All contract files, parsed once. */
function contracts() {
	if (!cache) {
		const read = (/** @type {string} */ file) =>
			JSON.parse(fs.readFileSync(path.join(__dirname, file), 'utf8'));
		cache = {
			defenderXdr: read(FILES.defenderXdr),
			endpoint: read(FILES.endpoint),
			graph: read(FILES.graph),
			csdl: read(path.join('graph', 'v1.0.json')),
		};
		for (const api of /** @type {ContractApi[]} */ (['defenderXdr', 'endpoint', 'graph']))
			for (const row of cache[api].endpoints) row.pattern = pathPattern(row.path);
	}
	return cache;
}

/** @param {string} api @returns {ContractApi} */
function apiName(api) {
	const name = /** @type {Record<string, ContractApi>} */ (EMULATOR_API)[api] ?? api;
	if (!(name in FILES)) throw new Error(`Unknown API ${api}`);
	return /** @type {ContractApi} */ (name);
}

/** `/api/machines/{id}/tags` → a case-insensitive regex; a placeholder takes anything but `/`. */
function pathPattern(/** @type {string} */ template) {
	const source = template
		.split(/(\{\w+\})/)
		.map((part) => (/^\{\w+\}$/.test(part) ? '[^/]+' : part.replace(/[.*+?^$()|[\]\\]/g, '\\$&')))
		.join('');
	return new RegExp(`^${source}/?$`, 'i');
}

/**
 * The documented endpoint for a request, the most literal match first (`findbyip(…)` before `{id}`).
 * @param {string} api @param {string} method @param {string} requestPath path under the API base
 */
function findEndpoint(api, method, requestPath) {
	let decoded = requestPath;
	try {
		decoded = decodeURIComponent(requestPath);
	} catch {
		// a malformed escape stays as it came
	}
	const rows = contracts()[apiName(api)].endpoints.filter(
		(/** @type {any} */ row) => row.method === method && row.pattern.test(decoded),
	);
	rows.sort(
		(/** @type {any} */ a, /** @type {any} */ b) =>
			(a.path.match(/\{/g) ?? []).length - (b.path.match(/\{/g) ?? []).length,
	);
	return rows[0];
}

/** CSDL enum members a client may send or receive (the evolvable-enum sentinel excluded). */
function graphEnum(/** @type {string} */ name) {
	const members = contracts().csdl.enums[name];
	if (!members) throw new Error(`No enum ${name} in graph/v1.0.json`);
	return members.filter((/** @type {string} */ m) => m !== 'unknownFutureValue');
}

/** All properties of a CSDL type of the cut, base types included. */
function graphProperties(/** @type {string} */ typeName) {
	/** @type {Record<string, string>} */
	const all = {};
	const { types } = contracts().csdl;
	for (let type = types[typeName]; type; type = types[type.baseType])
		for (const [name, t] of Object.entries(type.properties)) all[name] ??= t;
	// Every entity has its key, `id` (from microsoft.graph.entity, which the cut does not carry).
	if (types[typeName]?.kind === 'entity') all.id ??= 'Edm.String';
	return all;
}

/** The allowed values of a filter field or body member, or undefined when it is free text. */
function allowedValues(/** @type {unknown} */ spec) {
	if (Array.isArray(spec)) return /** @type {string[]} */ (spec);
	if (typeof spec === 'string' && spec.startsWith('enum:')) return graphEnum(spec.slice(5));
	if (spec && typeof spec === 'object' && Array.isArray(/** @type {any} */ (spec).values))
		return /** @type {any} */ (spec).values;
	return undefined;
}

const includesIgnoringCase = (/** @type {string[]} */ list, /** @type {string} */ value) =>
	list.some((item) => item.toLowerCase() === value.toLowerCase());

/** @param {string} message @param {Refusal} [kind] */
const refuse = (message, kind = /** @type {Refusal} */ ('query')) => ({ kind, message });

/** Error codes of a refused body: Defender for Endpoint's own, BadRequest elsewhere. */
const BODY_CODES = {
	endpoint: { missing: 'MissingRequiredParameter', invalid: 'InvalidInput', query: 'BadRequest' },
	defenderXdr: { missing: 'BadRequest', invalid: 'BadRequest', query: 'BadRequest' },
	graph: { missing: 'BadRequest', invalid: 'BadRequest', query: 'BadRequest' },
};

/**
 * The fields a `$filter` names and the string literals compared with them (`field eq 'x'`).
 * @param {string} filter
 */
function filterTerms(filter) {
	/** @type {string[]} */
	const literals = [];
	const bare = filter.replace(/'((?:[^']|'')*)'/g, (_, text) => {
		literals.push(text.replace(/''/g, "'"));
		return `'#${literals.length - 1}'`;
	});
	/** @type {Array<{ field: string, literal?: string }>} */
	const terms = [];
	// A lambda `machineTags/any(tag: tag eq 'x')` filters on machineTags.
	const noLambda = bare.replace(
		/(\w+)\/(?:any|all)\((\w+):\s*\2\s+(eq|ne)\s+('#\d+')\)/g,
		'$1 $3 $4',
	);
	for (const m of noLambda.matchAll(
		/\b(startswith|endswith|contains)\(\s*(\w+)\s*,\s*('#(\d+)'|\S+?)\s*\)/gi,
	))
		terms.push({ field: m[2] });
	const withoutFunctions = noLambda.replace(/\b(startswith|endswith|contains)\([^)]*\)/gi, '');
	for (const m of withoutFunctions.matchAll(
		/([A-Za-z_][\w/]*)\s+(eq|ne|gt|ge|lt|le|in)\s+(?:'#(\d+)')?/g,
	))
		terms.push({ field: m[1], literal: m[3] === undefined ? undefined : literals[Number(m[3])] });
	return terms;
}

/**
 * Checks one request against its documented endpoint; undefined when the contract allows it.
 * @param {string} api 'xdr' | 'mde' | 'graph' or a ContractApi
 * @param {string} method
 * @param {string} requestPath path under the API base, e.g. `/api/incidents/7`
 * @param {URLSearchParams} query
 * @param {unknown} body parsed JSON body, or undefined when there was none (or not JSON)
 * @returns {ContractError | undefined}
 */
function validateRequest(api, method, requestPath, query, body) {
	const name = apiName(api);
	const row = findEndpoint(name, method, requestPath);
	const refusal = row
		? (validateQuery(name, row, query) ?? validateBody(name, row, body))
		: refuse(
				`${method} ${requestPath} is not a documented endpoint of the ${name} API in test/contracts.`,
			);
	return refusal && { status: 400, code: BODY_CODES[name][refusal.kind], message: refusal.message };
}

/** @param {ContractApi} api @param {any} row @param {URLSearchParams} query */
function validateQuery(api, row, query) {
	for (const [key, value] of query) {
		const option = key.toLowerCase();
		if (option === '$top') {
			if (row.top === null || row.top === undefined)
				return refuse(`Query option '$top' is not supported by ${row.method} ${row.path}.`);
			if (!/^\d+$/.test(value)) return refuse(`Invalid value '${value}' for $top query option.`);
			if (typeof row.top === 'number' && Number(value) > row.top)
				return refuse(
					`The limit of '${row.top}' for Top query has been exceeded. The value from the incoming request is '${value}'.`,
				);
		} else if (option === '$skiptoken') {
			// Graph's own @odata.nextLink carries it; a client only follows that link.
			if (api !== 'graph' || !row.response?.collection)
				return refuse(`Query option '$skiptoken' is not supported by ${row.method} ${row.path}.`);
		} else if (option === '$skip') {
			if (!row.skip)
				return refuse(`Query option '$skip' is not supported by ${row.method} ${row.path}.`);
		} else if (option === '$filter') {
			const error = validateFilter(row, value);
			if (error) return error;
		} else if (option === '$expand') {
			const wanted = value.split(',').map((item) => item.trim());
			const unknown = wanted.find((item) => !includesIgnoringCase(row.expand ?? [], item));
			if (unknown !== undefined)
				return refuse(`Could not find a navigation property named '${unknown}' to expand.`);
		} else if (option === '$select') {
			if (!row.select) return refuse(`Query option '$select' is not supported by ${row.path}.`);
			const properties = row.response?.type ? graphProperties(row.response.type) : undefined;
			const unknown = properties
				? value.split(',').find((p) => !(p.trim() in properties))
				: undefined;
			if (unknown !== undefined)
				return refuse(
					`Could not find a property named '${unknown}' on type '${row.response.type}'.`,
				);
		} else {
			const spec =
				row.query?.[Object.keys(row.query ?? {}).find((k) => k.toLowerCase() === option) ?? ''];
			if (!spec) return refuse(`The query parameter '${key}' is not supported by ${row.path}.`);
			if (spec.type === 'number' && !/^\d+$/.test(value))
				return refuse(`The value '${value}' is not valid for ${key}.`);
			if (spec.max !== undefined && Number(value) > spec.max)
				return refuse(`${key} must be at most ${spec.max}; the request has ${value}.`);
		}
	}
	return undefined;
}

/** @param {any} row @param {string} filter */
function validateFilter(row, filter) {
	if (!row.filter)
		return refuse(`Query option '$filter' is not supported by ${row.method} ${row.path}.`);
	const fields = Object.keys(row.filter);
	for (const { field, literal } of filterTerms(filter)) {
		const documented = fields.find((f) => f.toLowerCase() === field.toLowerCase());
		if (!documented)
			return refuse(
				`Invalid filter clause: Could not find a property named '${field}' that supports filtering.`,
			);
		const values = allowedValues(row.filter[documented]);
		if (values && literal !== undefined && !includesIgnoringCase(values, literal))
			return refuse(
				`Invalid filter clause: '${literal}' is not a valid value of '${documented}'. Valid values: ${values.join(', ')}.`,
			);
	}
	return undefined;
}

/** @param {ContractApi} api @param {any} row @param {unknown} body */
function validateBody(api, row, body) {
	const empty =
		body === undefined ||
		body === null ||
		(typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length === 0);
	if (!row.body)
		return empty
			? undefined
			: refuse(`${row.method} ${row.path} takes no request body.`, 'invalid');
	if (row.body.format !== 'json') return undefined;
	if (empty && (row.body.required?.length || requiredMembers(row).length))
		return refuse(
			`The request body is missing; ${row.method} ${row.path} requires ${requiredMembers(row).join(', ')}.`,
			'missing',
		);
	if (empty) return undefined;
	if (typeof body !== 'object' || Array.isArray(body))
		return refuse('The request body must be a JSON object.', 'invalid');
	const members = memberSpecs(api, row);
	const given = /** @type {Record<string, unknown>} */ (body);
	for (const [key, value] of Object.entries(given)) {
		if (api === 'graph' && key.startsWith('@odata.')) continue;
		const name = Object.keys(members).find((m) => m.toLowerCase() === key.toLowerCase());
		if (!name)
			return refuse(
				`The request body has the member '${key}', which ${row.method} ${row.path} does not take. It takes: ${Object.keys(members).join(', ')}.`,
				'invalid',
			);
		const error = validateMember(name, members[name], value);
		if (error) return error;
	}
	for (const required of requiredMembers(row))
		if (!Object.keys(given).some((k) => k.toLowerCase() === required.toLowerCase()))
			return refuse(`The request body lacks the required member '${required}'.`, 'missing');
	for (const rule of row.body.rules ?? []) {
		const applies = Object.entries(rule.when).every(([k, v]) => valueOf(given, k) === v);
		if (!applies) continue;
		for (const [k, v] of Object.entries(rule.require))
			if (valueOf(given, k) !== v)
				return refuse(`'${k}' must be ${JSON.stringify(v)} here: ${rule.says}`, 'invalid');
	}
	return undefined;
}

/** A member of `body` by name, regardless of case. */
function valueOf(/** @type {Record<string, unknown>} */ body, /** @type {string} */ name) {
	const key = Object.keys(body).find((k) => k.toLowerCase() === name.toLowerCase());
	return key === undefined ? undefined : body[key];
}

/** The members a write takes with their specs: from the table (Defender) or the CSDL (Graph). */
function memberSpecs(/** @type {ContractApi} */ api, /** @type {any} */ row) {
	if (api !== 'graph') return row.body.members;
	/** @type {Record<string, string>} */
	let types = {};
	if (row.body.action) {
		const action = contracts().csdl.actions[row.body.action];
		for (const p of action.parameters) types[p.name] = p.type;
	} else types = graphProperties(row.body.type);
	/** @type {Record<string, any>} */
	const specs = {};
	for (const member of row.body.members) {
		const type = types[member];
		if (!type) throw new Error(`${row.id}: ${member} is not in the CSDL cut`);
		const element = /^Collection\((.*)\)$/.exec(type)?.[1];
		const base = element ?? type;
		specs[member] = {
			type: element
				? 'array'
				: base === 'Edm.Boolean'
					? 'boolean'
					: base.startsWith('Edm.')
						? 'string'
						: 'string',
			values: contracts().csdl.enums[base] ? graphEnum(base) : undefined,
			...(member === 'timespan' ? { timespan: row.body.timespan } : {}),
		};
	}
	return specs;
}

function requiredMembers(/** @type {any} */ row) {
	if (Array.isArray(row.body?.required)) return row.body.required;
	if (!row.body?.members || Array.isArray(row.body.members)) return [];
	return Object.entries(row.body.members)
		.filter(([, spec]) => /** @type {any} */ (spec).required)
		.map(([name]) => name);
}

const ISO_DURATION =
	/^P(?=\d|T\d)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$/;

/** Whether a runHuntingQuery Timespan has one of the documented forms. */
function isDocumentedTimespan(/** @type {string} */ value) {
	const parts = value.split('/');
	if (parts.length === 1) return ISO_DURATION.test(value) || ISO_DATE.test(value);
	if (parts.length !== 2) return false;
	const [a, b] = parts;
	return (
		(ISO_DATE.test(a) && ISO_DATE.test(b)) ||
		(ISO_DURATION.test(a) && ISO_DATE.test(b)) ||
		(ISO_DATE.test(a) && ISO_DURATION.test(b))
	);
}

/** @param {string} name @param {any} spec @param {unknown} value */
function validateMember(name, spec, value) {
	if (value === null) return undefined;
	if (spec.type === 'boolean' && typeof value !== 'boolean')
		return refuse(`The member '${name}' must be true or false.`, 'invalid');
	if (spec.type === 'array' && !Array.isArray(value))
		return refuse(`The member '${name}' must be an array.`, 'invalid');
	if (spec.type === 'string' || spec.type === 'datetime') {
		if (typeof value !== 'string')
			return refuse(`The member '${name}' must be a string.`, 'invalid');
		if (spec.values && !includesIgnoringCase(spec.values, value))
			return refuse(
				`The value '${value}' is not valid for '${name}'. Valid values: ${spec.values.join(', ')}.`,
				'invalid',
			);
		if (spec.timespan && !isDocumentedTimespan(value))
			return refuse(
				`The value '${value}' is not a valid Timespan (${spec.timespan.formats.join(', ')}).`,
				'invalid',
			);
	}
	if (spec.items && Array.isArray(value)) {
		const order = spec.order ?? [];
		let last = -1;
		for (const item of value) {
			const type = item && typeof item === 'object' ? item.type : undefined;
			if (!includesIgnoringCase(spec.items.type.values, String(type)))
				return refuse(
					`The command type '${String(type)}' is not valid. Valid values: ${spec.items.type.values.join(', ')}.`,
					'invalid',
				);
			const position = order.findIndex(
				(/** @type {string} */ t) => t.toLowerCase() === String(type).toLowerCase(),
			);
			if (position < last)
				return refuse(
					`Commands must be in the order ${order.join(', ')}; ${String(type)} came after a later one.`,
				);
			last = position;
			const keys = spec.items.params.keys[order[position]] ?? [];
			for (const param of Array.isArray(item.params) ? item.params : [])
				if (!includesIgnoringCase(keys, String(param?.key)))
					return refuse(
						`The ${order[position]} command takes ${keys.join(', ')}, not '${String(param?.key)}'.`,
					);
		}
	}
	return undefined;
}

/**
 * Drift between one answer and the contract: fields Microsoft does not document, enum values it does
 * not list, documented fields the answer lacks. Values are never copied except enum values.
 * @param {string} api @param {string} endpointId
 * @param {unknown} answer the parsed response body
 */
function checkResponse(api, endpointId, answer) {
	const name = apiName(api);
	const row = contracts()[name].endpoints.find((/** @type {any} */ r) => r.id === endpointId);
	if (!row) throw new Error(`No endpoint ${endpointId} in the ${name} contract`);
	const records = row.response?.collection
		? Array.isArray(/** @type {any} */ (answer)?.value)
			? /** @type {any} */ (answer).value
			: []
		: [answer];
	const shape = shapeOf(name, row);
	/** @type {{ newFields: Set<string>, unknownValues: Map<string, Set<string>>, seen: Set<string>, records: number }} */
	const found = { newFields: new Set(), unknownValues: new Map(), seen: new Set(), records: 0 };
	for (const record of records) {
		if (!record || typeof record !== 'object') continue;
		found.records++;
		for (const [field, value] of Object.entries(record)) {
			if (field.startsWith('@odata.')) continue;
			found.seen.add(field);
			if (shape.fields && !shape.fields.includes(field)) found.newFields.add(field);
			const values = shape.enums[field];
			if (values && typeof value === 'string' && !values.includes(value)) {
				if (!found.unknownValues.has(field)) found.unknownValues.set(field, new Set());
				found.unknownValues.get(field)?.add(value);
			}
		}
	}
	return {
		records: found.records,
		newFields: [...found.newFields].sort(),
		unknownValues: Object.fromEntries([...found.unknownValues].map(([f, v]) => [f, [...v].sort()])),
		missingFields:
			found.records > 0 && shape.fields
				? shape.fields.filter((/** @type {string} */ f) => !found.seen.has(f)).sort()
				: [],
	};
}

/** Documented fields and enum values of an endpoint's answer. */
function shapeOf(/** @type {ContractApi} */ api, /** @type {any} */ row) {
	if (api !== 'graph') {
		const shape = contracts()[api].shapes[row.response?.shape ?? 'other'];
		return { fields: shape.fields, enums: shape.enums };
	}
	const properties = graphProperties(row.response.type);
	/** @type {Record<string, string[]>} */
	const enums = {};
	for (const [field, type] of Object.entries(properties))
		if (contracts().csdl.enums[type]) enums[field] = contracts().csdl.enums[type];
	return { fields: row.response.type.startsWith('Edm.') ? null : Object.keys(properties), enums };
}

module.exports = {
	contracts,
	findEndpoint,
	validateRequest,
	checkResponse,
	graphEnum,
	graphProperties,
	isDocumentedTimespan,
	filterTerms,
};
