// @ts-check
'use strict';
// The OData `$filter` subset the incident lists accept: `prop op literal` joined with `and`/`or`,
// parentheses, string literals in single quotes ('' escapes a quote), bare or quoted ISO datetimes.
const { HttpError, toApiTime } = require('./util');

/**
 * @typedef {{ field: string, kind: 'datetime' | 'string' | 'enum', values?: Record<string, string> }} FilterField
 *   `field` names the canonical record property; `values` maps lower-cased API enum names to canonical ones.
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
	const bad = (/** @type {string} */ message) => new HttpError(400, 'BadRequest', `Invalid filter clause: ${message}`);
	const peek = () => tokens[pos];
	const next = () => {
		const token = tokens[pos++];
		if (!token) throw bad(`Syntax error: unexpected end of expression in '${filter}'.`);
		return token;
	};
	const isWord = (/** @type {string} */ word) => peek()?.kind === 'word' && peek().text.toLowerCase() === word;

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

	/** @returns {Predicate} */
	function primary() {
		const token = next();
		if (token.text === '(') {
			const inner = orExpr();
			if (next().text !== ')') throw bad(`Syntax error: ')' expected in '${filter}'.`);
			return inner;
		}
		if (token.kind !== 'word') throw bad(`Syntax error at position ${token.at} in '${filter}'.`);
		const spec = fields[token.text];
		if (!spec) throw bad(`Could not find a property named '${token.text}' on type '${typeName}'.`);
		const op = next().text.toLowerCase();
		if (!OPERATORS.includes(op)) throw bad(`Syntax error at position ${tokens[pos - 1].at} in '${filter}'.`);
		const value = literal(token.text, spec, next());
		const { field } = spec;
		return (r) => compare(r[field], op, value);
	}

	/** @param {string} name @param {FilterField} spec @param {{ kind: string, text: string }} token */
	function literal(name, spec, token) {
		if (token.kind === 'word' && token.text === 'null') return null;
		if (spec.kind === 'datetime') {
			if (!DATETIME.test(token.text)) throw bad(`The literal '${token.text}' is not a valid DateTimeOffset for '${name}'.`);
			return toApiTime(token.text);
		}
		if (token.kind !== 'string') throw bad(`A string literal in single quotes is expected for '${name}', found '${token.text}'.`);
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
		} else if (c === '(' || c === ')') {
			tokens.push({ kind: /** @type {const} */ ('paren'), text: c, at: i++ });
		} else if (c === "'") {
			const at = i++;
			let value = '';
			for (;;) {
				if (i >= text.length) throw new HttpError(400, 'BadRequest', `Invalid filter clause: Unterminated string literal at position ${at} in '${text}'.`);
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
			const m = /^[^\s()']+/.exec(text.slice(i));
			const word = m ? m[0] : c;
			tokens.push({ kind: /** @type {const} */ ('word'), text: word, at: i });
			i += word.length;
		}
	}
	return tokens;
}

module.exports = { parseFilter };
