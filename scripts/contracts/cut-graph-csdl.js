#!/usr/bin/env node
'use strict';
// Cuts Microsoft Graph's v1.0 CSDL (microsoftgraph/msgraph-metadata, MIT) down to what this package
// uses and records, per national cloud, which of those types, members, actions and paths exist.
// Output: test/contracts/graph/v1.0.json (read by the contract test, the emulator and check:tenant).
//
//   node scripts/contracts/cut-graph-csdl.js <msgraph-metadata git dir or work tree> [out.json]
//
// The input is read at its HEAD commit (`git show HEAD:schemas/v1.0-<cloud>.csdl`), whose hash goes
// into the output, so the same commit always gives the same file.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const REPO = 'microsoftgraph/msgraph-metadata';
const CLOUDS = ['Prod', 'Fairfax', 'USNat', 'USSec', 'Mooncake'];
const SECURITY = 'microsoft.graph.security';

/** What the node calls and reads; the closure of their property types within the security namespace follows. */
const ROOTS = [
	`${SECURITY}.incident`,
	`${SECURITY}.alert`,
	`${SECURITY}.alertComment`,
	`${SECURITY}.alertEvidence`,
	`${SECURITY}.huntingQueryResults`,
	`${SECURITY}.identityAccounts`,
	`${SECURITY}.invokeActionResult`,
];
/** Abstract bases whose derived types are what the service answers (evidence kinds, identity account kinds). */
const WITH_DERIVED = [`${SECURITY}.alertEvidence`, `${SECURITY}.identityAccounts`];
/** Containers and Entra ID's user, cut to the members the node reads, sends or walks through. */
const CUT_TYPES = {
	'microsoft.graph.security': ['alerts_v2', 'incidents', 'identities'],
	[`${SECURITY}.identityContainer`]: ['identityAccounts'],
	'microsoft.graph.user': [
		'accountEnabled',
		'displayName',
		'onPremisesDomainName',
		'onPremisesSamAccountName',
		'onPremisesSecurityIdentifier',
		'userPrincipalName',
	],
};
const ACTIONS = [
	{ name: `${SECURITY}.runHuntingQuery`, binding: 'microsoft.graph.security' },
	{ name: `${SECURITY}.invokeAction`, binding: `${SECURITY}.identityAccounts` },
	{ name: 'microsoft.graph.revokeSignInSessions', binding: 'microsoft.graph.user' },
];
/** The request paths of the node on Graph (relative to /v1.0), each a walk from the entity container. */
const PATHS = {
	'/security/incidents': ['security', 'incidents'],
	'/security/incidents/{id}/comments': ['security', 'incidents', '{id}', 'comments'],
	'/security/alerts_v2': ['security', 'alerts_v2'],
	'/security/alerts_v2/{id}/comments': ['security', 'alerts_v2', '{id}', 'comments'],
	'/security/runHuntingQuery': ['security', `${SECURITY}.runHuntingQuery`],
	'/security/identities/identityAccounts': ['security', 'identities', 'identityAccounts'],
	'/security/identities/identityAccounts/{id}/invokeAction': [
		'security',
		'identities',
		'identityAccounts',
		'{id}',
		`${SECURITY}.invokeAction`,
	],
	'/users/{id}': ['users', '{id}'],
	'/users/{id}/revokeSignInSessions': ['users', '{id}', 'microsoft.graph.revokeSignInSessions'],
};

const attr = (tag, name) => new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1];

/** Parses the CSDL's schemas into enums, structured types (with properties) and actions, names qualified. */
function parseCsdl(xml) {
	const aliases = {};
	for (const m of xml.matchAll(/<Schema\s[^>]*>/g)) {
		const ns = attr(m[0], 'Namespace');
		const alias = attr(m[0], 'Alias');
		if (alias) aliases[alias] = ns;
	}
	const qualify = (type) => {
		if (!type) return type;
		const collection = /^Collection\((.*)\)$/.exec(type);
		if (collection) return `Collection(${qualify(collection[1])})`;
		const dot = type.lastIndexOf('.');
		const prefix = type.slice(0, dot);
		return aliases[prefix] ? `${aliases[prefix]}.${type.slice(dot + 1)}` : type;
	};
	const enums = {};
	const types = {};
	const actions = [];
	const container = { sets: {} };
	const schemaRe = /<Schema\s[^>]*Namespace="([^"]+)"[^>]*>([\s\S]*?)<\/Schema>/g;
	for (const [, ns, body] of xml.matchAll(schemaRe)) {
		const elementRe =
			/<(EnumType|EntityType|ComplexType|Action|EntityContainer)\s([^>]*?)(\/>|>([\s\S]*?)<\/\1>)/g;
		for (const [, kind, attrs, , inner = ''] of body.matchAll(elementRe)) {
			const tag = ` ${attrs}`;
			const name = attr(tag, 'Name');
			if (kind === 'EnumType') {
				enums[`${ns}.${name}`] = [...inner.matchAll(/<Member\s+Name="([^"]+)"/g)].map((m) => m[1]);
			} else if (kind === 'EntityType' || kind === 'ComplexType') {
				const properties = {};
				for (const p of inner.matchAll(/<(Property|NavigationProperty)\s([^>]*?)\/?>/g))
					properties[attr(` ${p[2]}`, 'Name')] = qualify(attr(` ${p[2]}`, 'Type'));
				types[`${ns}.${name}`] = {
					kind: kind === 'EntityType' ? 'entity' : 'complex',
					...(attr(tag, 'BaseType') ? { baseType: qualify(attr(tag, 'BaseType')) } : {}),
					...(attr(tag, 'Abstract') === 'true' ? { abstract: true } : {}),
					...(attr(tag, 'OpenType') === 'true' ? { openType: true } : {}),
					properties,
				};
			} else if (kind === 'Action') {
				const parameters = [...inner.matchAll(/<Parameter\s([^>]*?)\/?>/g)].map((p) => ({
					name: attr(` ${p[1]}`, 'Name'),
					type: qualify(attr(` ${p[1]}`, 'Type')),
					...(attr(` ${p[1]}`, 'Nullable') === 'false' ? { required: true } : {}),
				}));
				const returns = /<ReturnType\s[^>]*Type="([^"]+)"/.exec(inner)?.[1];
				actions.push({
					name: `${ns}.${name}`,
					binding: parameters[0]?.name === 'bindingParameter' ? parameters[0].type : undefined,
					parameters: parameters.filter((p) => p.name !== 'bindingParameter'),
					...(returns ? { returnType: qualify(returns) } : {}),
				});
			} else {
				for (const s of inner.matchAll(/<(EntitySet|Singleton)\s([^>]*?)\/?>/g)) {
					const t = ` ${s[2]}`;
					container.sets[attr(t, 'Name')] = qualify(attr(t, 'EntityType') ?? attr(t, 'Type'));
				}
			}
		}
	}
	return { enums, types, actions, container };
}

const elementType = (type) => /^Collection\((.*)\)$/.exec(type)?.[1] ?? type;

/** All properties of a structured type, its base types' included. */
function allProperties(model, name) {
	const type = model.types[name];
	if (!type) return {};
	return { ...(type.baseType ? allProperties(model, type.baseType) : {}), ...type.properties };
}

function derivedOf(model, base) {
	const out = [];
	for (const [name, type] of Object.entries(model.types))
		if (type.baseType === base) out.push(name, ...derivedOf(model, name));
	return out;
}

function findAction(model, name, binding) {
	return model.actions.find((a) => a.name === name && elementType(a.binding ?? '') === binding);
}

/** The types, enums and actions of the cut, from the global (Prod) CSDL. */
function cut(model) {
	const types = {};
	const enums = {};
	const queue = [...ROOTS, ...WITH_DERIVED.flatMap((base) => derivedOf(model, base))];
	const see = (typeName) => {
		const t = elementType(typeName);
		if (!t.startsWith(`${SECURITY}.`)) return;
		if (model.enums[t]) enums[t] = model.enums[t];
		else if (model.types[t] && !types[t]) queue.push(t);
	};
	while (queue.length) {
		const name = queue.shift();
		if (types[name] || !model.types[name]) continue;
		types[name] = model.types[name];
		if (types[name].baseType) see(types[name].baseType);
		for (const t of Object.values(types[name].properties)) see(t);
	}
	for (const [name, keep] of Object.entries(CUT_TYPES)) {
		const all = allProperties(model, name);
		types[name] = {
			kind: model.types[name].kind,
			cut: true,
			properties: Object.fromEntries(keep.map((p) => [p, all[p]])),
		};
		for (const t of Object.values(types[name].properties)) see(t);
	}
	const actions = {};
	for (const { name, binding } of ACTIONS) {
		const action = findAction(model, name, binding);
		actions[name] = { binding, parameters: action.parameters, returnType: action.returnType };
		for (const p of action.parameters) see(p.type);
		if (action.returnType) see(action.returnType);
	}
	const sortKeys = (o) =>
		Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
	return { types: sortKeys(types), enums: sortKeys(enums), actions };
}

/** Whether a path walks: segments are entity sets/singletons, navigation properties, {id} or a bound action. */
function pathExists(model, segments) {
	let type = model.container.sets[segments[0]];
	let collection = type ? /^Collection\(/.test(type) || segments[0] === 'users' : false;
	type = type && elementType(type);
	for (const segment of segments.slice(1)) {
		if (!type) return false;
		if (segment === '{id}') {
			if (!collection) return false;
			collection = false;
			continue;
		}
		const bound = model.actions.find(
			(a) =>
				a.name === segment &&
				(elementType(a.binding ?? '') === type ||
					isDerived(model, type, elementType(a.binding ?? ''))),
		);
		if (bound) return true;
		const next = allProperties(model, type)[segment];
		if (!next) return false;
		collection = /^Collection\(/.test(next);
		type = elementType(next);
	}
	return true;
}

function isDerived(model, type, base) {
	for (let t = model.types[type]?.baseType; t; t = model.types[t]?.baseType)
		if (t === base) return true;
	return false;
}

/** What one cloud's CSDL lacks of the cut: types, properties, enum members, actions, paths. */
function compareCloud(model, theCut) {
	const missing = { types: [], properties: {}, enumMembers: {}, actions: [], paths: [] };
	for (const [name, type] of Object.entries(theCut.types)) {
		if (!model.types[name]) {
			missing.types.push(name);
			continue;
		}
		const has = allProperties(model, name);
		const lacking = Object.keys(type.properties).filter((p) => !(p in has));
		if (lacking.length) missing.properties[name] = lacking;
	}
	for (const [name, members] of Object.entries(theCut.enums)) {
		if (!model.enums[name]) missing.types.push(name);
		else {
			const lacking = members.filter((m) => !model.enums[name].includes(m));
			if (lacking.length) missing.enumMembers[name] = lacking;
		}
	}
	for (const { name, binding } of ACTIONS)
		if (!findAction(model, name, binding)) missing.actions.push(name);
	for (const [p, segments] of Object.entries(PATHS))
		if (!pathExists(model, segments)) missing.paths.push(p);
	return missing;
}

async function main() {
	const [
		source,
		out = path.join(__dirname, '..', '..', 'test', 'contracts', 'graph', 'v1.0.json'),
	] = process.argv.slice(2);
	if (!source) {
		console.error('usage: cut-graph-csdl.js <msgraph-metadata git dir or work tree> [out.json]');
		process.exit(2);
	}
	const git = (...args) =>
		execFileSync('git', ['-C', source, ...args], { maxBuffer: 1 << 28 }).toString();
	const commit = git('rev-parse', 'HEAD').trim();
	const models = {};
	for (const cloud of CLOUDS) {
		const file = `schemas/v1.0-${cloud}.csdl`;
		try {
			models[cloud] = parseCsdl(git('show', `HEAD:${file}`));
		} catch {
			models[cloud] = undefined;
		}
	}
	const theCut = cut(models.Prod);
	const paths = {};
	for (const [p, segments] of Object.entries(PATHS)) {
		if (!pathExists(models.Prod, segments)) throw new Error(`Global CSDL has no path ${p}`);
		paths[p] = CLOUDS.filter((c) => models[c] && pathExists(models[c], segments));
	}
	const clouds = {};
	for (const cloud of CLOUDS.slice(1))
		clouds[cloud] = models[cloud]
			? { file: `schemas/v1.0-${cloud}.csdl`, missing: compareCloud(models[cloud], theCut) }
			: { file: `schemas/v1.0-${cloud}.csdl`, absent: true };
	const result = {
		source: {
			repo: REPO,
			commit,
			file: 'schemas/v1.0-Prod.csdl',
			generatedBy: 'scripts/contracts/cut-graph-csdl.js',
			licence: git('show', 'HEAD:LICENSE').trim(),
		},
		paths,
		...theCut,
		clouds,
	};
	fs.mkdirSync(path.dirname(out), { recursive: true });
	// Formatted as the repository formats JSON, so that a refresh from the same commit changes nothing.
	const prettier = require('prettier');
	const options = (await prettier.resolveConfig(out)) ?? {};
	fs.writeFileSync(
		out,
		await prettier.format(JSON.stringify(result, null, '\t'), { ...options, parser: 'json' }),
	);
	console.log(
		`${out}: ${Object.keys(theCut.types).length} types, ${Object.keys(theCut.enums).length} enums, ${ACTIONS.length} actions from ${REPO}@${commit.slice(0, 12)}`,
	);
}

main().catch((error) => {
	console.error(error instanceof Error ? error.message : error);
	process.exit(1);
});
