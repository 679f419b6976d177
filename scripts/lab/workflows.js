// @ts-check
'use strict';
// The example workflows (examples/*.json) made ready for a lab n8n: the credential record the CLI
// imports, the chat webhook URL filled in, and the Manual Trigger variant that `n8n execute` can
// start (it cannot start a polling or schedule trigger); and a Custom API Call workflow.
const fs = require('node:fs');
const path = require('node:path');
const { REPO } = require('./n8n');

const EXAMPLES_DIR = path.join(REPO, 'examples');
const CREDENTIAL_NAME = 'Microsoft Defender account';
const CREDENTIAL_TYPE = 'microsoftDefenderApi';
/** The chat webhook URL in the examples, which users replace with their Slack/Teams webhook. */
const WEBHOOK_PLACEHOLDER = 'https://hooks.slack.com/services/REPLACE/WITH/YOUR-WEBHOOK';
const PACKAGE = require(path.join(REPO, 'package.json')).name;
const DEFENDER = `${PACKAGE}.microsoftDefender`;
const DEFENDER_TRIGGER = `${PACKAGE}.microsoftDefenderTrigger`;
const MANUAL_TRIGGER = 'n8n-nodes-base.manualTrigger';

/** @param {string} file e.g. 'incident-triage.json' @returns {any} */
function loadExample(file) {
	return JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, file), 'utf8'));
}

/**
 * The record `n8n import:credentials` takes for a Custom-cloud credential (plain `data`; n8n
 * encrypts it on import).
 * @param {{ id: string, name?: string, endpoints: { authorityUrl: string, defenderApiUrl: string, graphApiUrl: string, endpointApiUrl: string },
 *   tenantId: string, clientId: string, clientSecret: string, quotaWindowSeconds?: number }} spec
 */
function emulatorCredential({
	id,
	name = CREDENTIAL_NAME,
	endpoints,
	tenantId,
	clientId,
	clientSecret,
	quotaWindowSeconds = 60,
}) {
	return {
		id,
		name,
		type: CREDENTIAL_TYPE,
		data: {
			cloud: 'custom',
			authorityUrl: endpoints.authorityUrl,
			defenderApiUrl: endpoints.defenderApiUrl,
			graphApiUrl: endpoints.graphApiUrl,
			endpointApiUrl: endpoints.endpointApiUrl,
			quotaWindowSeconds,
			tenantId,
			clientId,
			authentication: 'clientSecret',
			clientSecret,
		},
	};
}

/** The name of the OpenAI credential in the AI examples. */
const OPENAI_CREDENTIAL_NAME = 'OpenAI account';

/**
 * The record `n8n import:credentials` takes for an OpenAI credential whose Base URL is an
 * OpenAI-compatible server (the emulator's scripted model).
 * @param {{ id: string, baseUrl: string, apiKey?: string }} spec
 */
function openAiCredential({ id, baseUrl, apiKey = 'sk-emulator' }) {
	return { id, name: OPENAI_CREDENTIAL_NAME, type: 'openAiApi', data: { apiKey, url: baseUrl } };
}

/**
 * A copy of `workflow` for import: its id, the chat webhook URL in place of the placeholder and,
 * when given, `mutate` applied to each node (e.g. to change a parameter).
 * @param {any} workflow @param {{ id: string, name?: string, webhookUrl?: string, mutate?: (node: any) => void }} options
 */
function forImport(workflow, { id, name, webhookUrl, mutate }) {
	const copy = structuredClone(workflow);
	copy.id = id;
	if (name) copy.name = name;
	for (const node of copy.nodes) {
		if (webhookUrl && node.parameters?.url === WEBHOOK_PLACEHOLDER)
			node.parameters.url = webhookUrl;
		mutate?.(node);
	}
	return copy;
}

/**
 * The workflow with its trigger replaced by a Manual Trigger, so that `n8n execute` can run it.
 * A Schedule Trigger simply becomes the Manual Trigger; a Defender Trigger becomes Manual Trigger →
 * Microsoft Defender "Get Many" with the trigger's API, severity filter, options (but Back-Fill From and
 * Overlap Window) and Simplify, plus `getMany` (parameters merged over these, e.g. a Created After filter or a limit).
 * @param {any} workflow @param {{ getMany?: Record<string, any> }} [options]
 */
function manualVariant(workflow, { getMany = {} } = {}) {
	const copy = structuredClone(workflow);
	const trigger = copy.nodes.find(
		(/** @type {any} */ node) =>
			node.type === DEFENDER_TRIGGER || node.type === 'n8n-nodes-base.scheduleTrigger',
	);
	if (!trigger) throw new Error(`${workflow.name}: no Defender or Schedule Trigger to replace`);
	const manual = {
		id: `${trigger.id}-manual`,
		name: 'Run Manually',
		type: MANUAL_TRIGGER,
		typeVersion: 1,
		position: trigger.position,
		parameters: {},
	};
	const outgoing = copy.connections[trigger.name];
	delete copy.connections[trigger.name];
	copy.nodes = copy.nodes.filter((/** @type {any} */ node) => node !== trigger);
	copy.nodes.push(manual);
	if (trigger.type === DEFENDER_TRIGGER) {
		const p = trigger.parameters;
		const list = {
			id: `${trigger.id}-list`,
			name: trigger.name, // downstream expressions that name the trigger keep working
			type: DEFENDER,
			typeVersion: 1,
			position: [trigger.position[0] + 100, trigger.position[1] + 200],
			credentials: trigger.credentials,
			parameters: {
				api: p.api ?? 'graph',
				resource: 'incident',
				operation: 'getAll',
				limit: 50,
				...getMany,
				filters: {
					...(p.filters?.severity ? { severity: p.filters.severity } : {}),
					...getMany.filters,
				},
				options: { ...listOptions(p.options), ...getMany.options },
				simplify: p.simplify ?? true,
			},
		};
		copy.nodes.push(list);
		copy.connections[manual.name] = { main: [[{ node: list.name, type: 'main', index: 0 }]] };
		copy.connections[list.name] = outgoing;
	} else {
		copy.connections[manual.name] = outgoing;
	}
	return copy;
}

/**
 * Manual Trigger → n8n's HTTP Request node with Authentication "Predefined Credential Type" →
 * Microsoft Defender API: what the "Custom API Call" entry of the Microsoft Defender node opens.
 * `body` makes it a POST with that JSON body.
 * @param {{ id: string, name: string, url: string, credential: { id: string, name: string }, query?: Record<string, string>, body?: Record<string, unknown> }} spec
 */
function customApiCallWorkflow({ id, name, url, credential, query = {}, body }) {
	const parameters = Object.entries(query);
	return {
		id,
		name,
		nodes: [
			{
				id: `${id}-manual`,
				name: 'Run Manually',
				type: MANUAL_TRIGGER,
				typeVersion: 1,
				position: [0, 0],
				parameters: {},
			},
			{
				id: `${id}-http`,
				name: 'Custom API Call',
				type: 'n8n-nodes-base.httpRequest',
				typeVersion: 4.2,
				position: [220, 0],
				credentials: { [CREDENTIAL_TYPE]: { id: credential.id, name: credential.name } },
				parameters: {
					...(body && {
						method: 'POST',
						sendBody: true,
						specifyBody: 'json',
						jsonBody: JSON.stringify(body),
					}),
					url,
					authentication: 'predefinedCredentialType',
					nodeCredentialType: CREDENTIAL_TYPE,
					sendQuery: parameters.length > 0,
					queryParameters: { parameters: parameters.map(([key, value]) => ({ name: key, value })) },
					options: {},
				},
			},
		],
		connections: {
			'Run Manually': { main: [[{ node: 'Custom API Call', type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	};
}

/** The trigger's options that Get Many also has (Include Alerts, Chat Message Format, Tenant ID, …). @param {Record<string, any> | undefined} options */
function listOptions(options = {}) {
	const shared = Object.fromEntries(
		Object.entries(options).filter(([key]) => key !== 'backfillFrom' && key !== 'overlapMinutes'),
	);
	return { ...shared, includeAlerts: shared.includeAlerts === true };
}

/** Writes `value` as JSON into `dir`/`name` and returns the path. @param {string} dir @param {string} name @param {unknown} value */
function writeJson(dir, name, value) {
	const file = path.join(dir, name);
	fs.writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
	return file;
}

module.exports = {
	EXAMPLES_DIR,
	CREDENTIAL_NAME,
	CREDENTIAL_TYPE,
	WEBHOOK_PLACEHOLDER,
	DEFENDER,
	DEFENDER_TRIGGER,
	loadExample,
	emulatorCredential,
	OPENAI_CREDENTIAL_NAME,
	openAiCredential,
	forImport,
	manualVariant,
	customApiCallWorkflow,
	writeJson,
};
