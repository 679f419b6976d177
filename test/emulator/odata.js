// @ts-check
'use strict';
// The OData subset the lists accept: `$filter` with `prop op literal` joined with `and`/`or`,
// parentheses, string literals in single quotes ('' escapes a quote), bare or quoted ISO datetimes,
// bare numbers, `startswith(prop,'x')` and `prop/any(t: t eq 'x')`; `$top`/`$skip` paging.
const { HttpError, toApiTime } = require('./util');

/**
 * @typedef {{ field: string, kind: 'datetime' | 'string' | 'enum' | 'number' | 'list', values?: Record<string, string>,
 *   ci?: boolean }} FilterField
 *   `field` names the record property; `values` maps lower-cased API enum names to the stored ones; `list` is an
 *   array of strings (only `any()`); `ci` compares strings case-insensitively.
 * @typedef {(record: Record<string, any>) => boolean} Predicate
 */

const OPERATORS = ['eq', 'ne', 'gt', 'ge', 'lt', 'le'];
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * @param {string} filter
 * @param {Record<string, FilterField>} fields filterable properties by API name
 * @param {string} typeName the entity type named in error messages
 * @returns {Predicate}
 */
function parseFilter(filter, fields, typeName) {
	const tokens = tokenize(filter);
	let pos = 0;
	const bad = (/** @type {string} */ message) =>
		new HttpError(400, 'BadRequest', `Invalid filter clause: ${message}`);
	const peek = () => tokens[pos];
	const next = () => {
		const token = tokens[pos++];
		if (!token) throw bad(`Syntax error: unexpected end of expression in '${filter}'.`);
		return token;
	};
	const isWord = (/** @type {string} */ word) =>
		peek()?.kind === 'word' && peek().text.toLowerCase() === word;

	/** @returns {Predicate} */
	function orExpr() {
		const parts = [andExpr()];
		while (isWord('or')) {
			pos++;
			parts.push(andExpr());
		}
		return (r) => parts.some((p) => p(r));
	}

	/** @returns {Predicate} */
	function andExpr() {
		const parts = [primary()];
		while (isWord('and')) {
			pos++;
			parts.push(primary());
		}
		return (r) => parts.every((p) => p(r));
	}

	/** @param {string} text */
	const expect = (text) => {
		if (next().text !== text) throw bad(`Syntax error: '${text}' expected in '${filter}'.`);
	};
	/** @param {string} name */
	const fieldOf = (name) => {
		const spec = fields[name];
		if (!spec) throw bad(`Could not find a property named '${name}' on type '${typeName}'.`);
		return spec;
	};
	const operator = () => {
		const op = next().text.toLowerCase();
		if (!OPERATORS.includes(op))
			throw bad(`Syntax error at position ${tokens[pos - 1].at} in '${filter}'.`);
		return op;
	};
	/** @param {FilterField} spec @param {any} value */
	const fold = (spec, value) =>
		spec.ci && typeof value === 'string' ? value.toLowerCase() : value;

	/** @returns {Predicate} */
	function primary() {
		const token = next();
		if (token.text === '(') {
			const inner = orExpr();
			expect(')');
			return inner;
		}
		if (token.kind !== 'word') throw bad(`Syntax error at position ${token.at} in '${filter}'.`);
		if (token.text.toLowerCase() === 'startswith' && peek()?.text === '(') return startsWith();
		const lambda = /^(\w+)\/any$/i.exec(token.text);
		if (lambda) return any(lambda[1]);
		const spec = fieldOf(token.text);
		if (spec.kind === 'list')
			throw bad(
				`Use '${token.text}/any(x: x eq '...')' to filter on the collection '${token.text}'.`,
			);
		const op = operator();
		const value = fold(spec, literal(token.text, spec, next()));
		const { field } = spec;
		return (r) => compare(fold(spec, r[field]), op, value);
	}

	/** `startswith(prop,'x')` on a string property. @returns {Predicate} */
	function startsWith() {
		expect('(');
		const name = next().text;
		const spec = fieldOf(name);
		if (spec.kind !== 'string')
			throw bad(`The function 'startswith' is not supported on property '${name}'.`);
		expect(',');
		const prefix = fold(spec, literal(name, spec, next()));
		expect(')');
		return (r) => typeof r[spec.field] === 'string' && fold(spec, r[spec.field]).startsWith(prefix);
	}

	/** `prop/any(t: t op 'x')` on a list property (the tokenizer gives `t:` or `t:t` as one word). @param {string} name @returns {Predicate} */
	function any(name) {
		const spec = fieldOf(name);
		if (spec.kind !== 'list') throw bad(`The property '${name}' is not a collection.`);
		expect('(');
		const variable = /^(\w+):(\w*)$/.exec(next().text);
		if (!variable || (variable[2] || next().text) !== variable[1])
			throw bad(`Syntax error in the lambda expression of '${filter}'.`);
		const op = operator();
		const value = fold(spec, literal(name, { ...spec, kind: 'string' }, next()));
		expect(')');
		return (r) =>
			(r[spec.field] ?? []).some((/** @type {string} */ v) => compare(fold(spec, v), op, value));
	}

	/** @param {string} name @param {FilterField} spec @param {{ kind: string, text: string }} token */
	function literal(name, spec, token) {
		if (token.kind === 'word' && token.text === 'null') return null;
		if (spec.kind === 'datetime') {
			if (!DATETIME.test(token.text))
				throw bad(`The literal '${token.text}' is not a valid DateTimeOffset for '${name}'.`);
			return toApiTime(token.text);
		}
		if (spec.kind === 'number') {
			if (token.kind !== 'word' || !/^-?\d+$/.test(token.text))
				throw bad(`A number is expected for '${name}', found '${token.text}'.`);
			return Number(token.text);
		}
		if (token.kind !== 'string')
			throw bad(
				`A string literal in single quotes is expected for '${name}', found '${token.text}'.`,
			);
		if (!spec.values) return token.text;
		const canonical = spec.values[token.text.toLowerCase()];
		if (!canonical) throw bad(`The value '${token.text}' is not valid for property '${name}'.`);
		return canonical;
	}

	const predicate = orExpr();
	if (pos < tokens.length) throw bad(`Syntax error at position ${tokens[pos].at} in '${filter}'.`);
	return predicate;
}

/** @param {any} actual @param {string} op @param {any} expected */
function compare(actual, op, expected) {
	if (op === 'eq') return actual === expected;
	if (op === 'ne') return actual !== expected;
	if (actual === null || actual === undefined || expected === null) return false;
	if (op === 'gt') return actual > expected;
	if (op === 'ge') return actual >= expected;
	if (op === 'lt') return actual < expected;
	return actual <= expected;
}

/** @param {string} text @returns {{ kind: 'word' | 'string' | 'paren', text: string, at: number }[]} */
function tokenize(text) {
	const tokens = [];
	let i = 0;
	while (i < text.length) {
		const c = text[i];
		if (/\s/.test(c)) {
			i++;
		} else if (c === '(' || c === ')' || c === ',') {
			tokens.push({ kind: /** @type {const} */ ('paren'), text: c, at: i++ });
		} else if (c === "'") {
			const at = i++;
			let value = '';
			for (;;) {
				if (i >= text.length)
					throw new HttpError(
						400,
						'BadRequest',
						`Invalid filter clause: Unterminated string literal at position ${at} in '${text}'.`,
					);
				if (text[i] === "'" && text[i + 1] === "'") {
					value += "'";
					i += 2;
				} else if (text[i] === "'") {
					i++;
					break;
				} else {
					value += text[i++];
				}
			}
			tokens.push({ kind: /** @type {const} */ ('string'), text: value, at });
		} else {
			const m = /^[^\s()',]+/.exec(text.slice(i));
			const word = m ? m[0] : c;
			tokens.push({ kind: /** @type {const} */ ('word'), text: word, at: i });
			i += word.length;
		}
	}
	return tokens;
}

/** Parses `$top`/`$skip`; over `max` is a 400 as in the real APIs. @param {URLSearchParams} query @param {number} max */
function paging(query, max) {
	const int = (/** @type {string} */ name, /** @type {number} */ fallback) => {
		const raw = query.get(name);
		if (raw === null) return fallback;
		if (!/^\d+$/.test(raw))
			throw new HttpError(400, 'BadRequest', `Invalid value '${raw}' for query option ${name}.`);
		return Number(raw);
	};
	const top = int('$top', max);
	if (top > max) {
		throw new HttpError(
			400,
			'BadRequest',
			`The limit of '${max}' for Top query has been exceeded. The value from the incoming request is '${top}'.`,
		);
	}
	return { top, skip: int('$skip', 0) };
}

/** @param {string} base @param {URLSearchParams} query @param {number} skip */
function nextLink(base, query, skip) {
	const next = new URLSearchParams(query);
	next.set('$skip', String(skip));
	return `${base}?${next.toString().replace(/%24/g, '$')}`;
}

/**
 * One page of a list answer: `records` (in list order, in the API's shape) filtered by `$filter`, then
 * `$top` (default and max `max`) from `$skip`, with an absolute `@odata.nextLink` while more remain.
 * @param {Record<string, any>[]} records @param {URLSearchParams} query
 * @param {{ max: number, fields: Record<string, FilterField>, typeName: string, base: string }} options
 */
function listPage(records, query, { max, fields, typeName, base }) {
	const { top, skip } = paging(query, max);
	const filter = query.get('$filter');
	const matching = filter ? records.filter(parseFilter(filter, fields, typeName)) : records;
	const more = top > 0 && skip + top < matching.length;
	return {
		value: matching.slice(skip, skip + top),
		...(more ? { '@odata.nextLink': nextLink(base, query, skip + top) } : {}),
	};
}

/** Filter values for an enum: lower-cased name → the spelling stored. @param {string[]} names */
const enumValues = (names) => Object.fromEntries(names.map((v) => [v.toLowerCase(), v]));

module.exports = { parseFilter, paging, nextLink, listPage, enumValues };
