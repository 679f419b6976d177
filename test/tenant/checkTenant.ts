/**
 * `npm run check:tenant` (scripts/check-tenant.js bundles and runs this): each read operation of the
 * node once, with small limits, through the package's own code in dist/ and n8n-core, against a real
 * tenant (or the emulator); each answer compared with Microsoft's contracts in test/contracts. Read
 * only. The report names fields and enum values, never a record's other values, IDs or credentials.
 */
import { readFileSync } from 'node:fs';

import type { ICredentialDataDecryptedObject, IDataObject, INodeParameters } from 'n8n-workflow';

import { MicrosoftDefenderApi } from '../../dist/credentials/MicrosoftDefenderApi.credentials';
import { MicrosoftDefender } from '../../dist/nodes/MicrosoftDefender/MicrosoftDefender.node';
import { checkResponse, contracts } from '../contracts';
import { runNode } from '../harness/n8n';

type ContractApi = 'defenderXdr' | 'endpoint' | 'graph';

interface Read {
	title: string;
	/** The API of the credential the read needs (the node's `api` picks XDR or Graph for some). */
	needs: ContractApi;
	/** The contract endpoint whose answer the node's output is (`undefined`: reshaped, not compared). */
	endpoint?: string;
	parameters: INodeParameters;
}

const FEW = { returnAll: false, limit: 3 };

/** Every read operation of the node that lists or gets without an ID the user must know. */
const READS: Read[] = [
	{
		title: 'Incident → Get Many (Defender XDR API)',
		needs: 'defenderXdr',
		endpoint: 'incident.list',
		parameters: {
			api: 'defenderXdr',
			resource: 'incident',
			operation: 'getAll',
			...FEW,
			simplify: false,
		},
	},
	{
		title: 'Incident → Get Many (Graph)',
		needs: 'graph',
		endpoint: 'incident.list',
		parameters: {
			api: 'graph',
			resource: 'incident',
			operation: 'getAll',
			...FEW,
			simplify: false,
		},
	},
	{
		title: 'Alert → Get Many (Defender for Endpoint API)',
		needs: 'endpoint',
		endpoint: 'alert.list',
		parameters: {
			api: 'defenderXdr',
			resource: 'alert',
			operation: 'getAll',
			...FEW,
			simplify: false,
		},
	},
	{
		title: 'Alert → Get Many (Graph)',
		needs: 'graph',
		endpoint: 'alert.list',
		parameters: { api: 'graph', resource: 'alert', operation: 'getAll', ...FEW, simplify: false },
	},
	{
		title: 'Advanced Hunting → Run Query (Graph)',
		needs: 'graph',
		parameters: {
			api: 'graph',
			resource: 'huntingQuery',
			operation: 'run',
			query: 'DeviceInfo | take 1',
			output: 'single',
		},
	},
	{
		title: 'Device → Get Many',
		needs: 'endpoint',
		endpoint: 'machine.list',
		parameters: { resource: 'machine', operation: 'getAll', ...FEW },
	},
	{
		title: 'Machine Action → Get Many',
		needs: 'endpoint',
		endpoint: 'machineAction.list',
		parameters: { resource: 'machineAction', operation: 'getAll', ...FEW },
	},
	{
		title: 'Indicator → Get Many',
		needs: 'endpoint',
		endpoint: 'indicator.list',
		parameters: { resource: 'indicator', operation: 'getAll', ...FEW },
	},
	{
		title: 'Investigation → Get Many',
		needs: 'endpoint',
		endpoint: 'investigation.list',
		parameters: { resource: 'investigation', operation: 'getAll', ...FEW },
	},
	{
		title: 'Vulnerability → Get Many',
		needs: 'endpoint',
		endpoint: 'vulnerability.list',
		parameters: { resource: 'vulnerability', operation: 'getAll', ...FEW },
	},
	{
		title: 'Software → Get Many',
		needs: 'endpoint',
		endpoint: 'software.list',
		parameters: { resource: 'software', operation: 'getAll', ...FEW },
	},
	{
		title: 'Recommendation → Get Many',
		needs: 'endpoint',
		endpoint: 'recommendation.list',
		parameters: { resource: 'recommendation', operation: 'getAll', ...FEW },
	},
	{
		title: 'Exposure Score → Get',
		needs: 'endpoint',
		endpoint: 'exposureScore.get',
		parameters: { resource: 'exposureScore', operation: 'get' },
	},
	{
		title: 'Live Response Library → Get Many',
		needs: 'endpoint',
		endpoint: 'library.list',
		parameters: { resource: 'liveResponseLibrary', operation: 'getAll', ...FEW },
	},
];

const CLOUDS = ['global', 'usGcc', 'usGccHigh', 'usDod', 'custom'];
const API_NAMES: Record<ContractApi, string> = {
	defenderXdr: 'Defender XDR API',
	endpoint: 'Defender for Endpoint API',
	graph: 'Microsoft Graph',
};

export class ConfigError extends Error {}

/** The credential the node would store, from DEFENDER_* variables (README: "Check a real tenant"). */
export function credentialFromEnv(env: NodeJS.ProcessEnv): ICredentialDataDecryptedObject {
	const need = (name: string) => {
		const value = env[name]?.trim();
		if (!value) throw new ConfigError(`${name} is not set.`);
		return value;
	};
	const cloud = env.DEFENDER_CLOUD?.trim() || 'global';
	if (!CLOUDS.includes(cloud))
		throw new ConfigError(`DEFENDER_CLOUD "${cloud}" is not one of ${CLOUDS.join(', ')}.`);
	const credential: ICredentialDataDecryptedObject = {
		cloud,
		tenantId: need('DEFENDER_TENANT_ID'),
		clientId: need('DEFENDER_CLIENT_ID'),
	};
	if (env.DEFENDER_CLIENT_SECRET) {
		credential.authentication = 'clientSecret';
		credential.clientSecret = env.DEFENDER_CLIENT_SECRET;
	} else if (env.DEFENDER_PRIVATE_KEY_FILE) {
		credential.authentication = 'certificate';
		credential.certificatePrivateKey = readFileSync(env.DEFENDER_PRIVATE_KEY_FILE, 'utf8');
		if (env.DEFENDER_CERTIFICATE_FILE)
			credential.certificate = readFileSync(env.DEFENDER_CERTIFICATE_FILE, 'utf8');
		else credential.certificateThumbprint = need('DEFENDER_CERTIFICATE_THUMBPRINT');
	} else
		throw new ConfigError(
			'Set DEFENDER_CLIENT_SECRET, or DEFENDER_PRIVATE_KEY_FILE with DEFENDER_CERTIFICATE_FILE (or DEFENDER_CERTIFICATE_THUMBPRINT).',
		);
	if (cloud === 'custom') {
		credential.authorityUrl = need('DEFENDER_AUTHORITY_URL');
		credential.defenderApiUrl = need('DEFENDER_XDR_API_URL');
		credential.graphApiUrl = need('DEFENDER_GRAPH_API_URL');
		credential.endpointApiUrl = need('DEFENDER_ENDPOINT_API_URL');
		if (env.DEFENDER_QUOTA_WINDOW_SECONDS)
			credential.quotaWindowSeconds = Number(env.DEFENDER_QUOTA_WINDOW_SECONDS);
	}
	return credential;
}

/** Which APIs to check: DEFENDER_APIS (comma-separated), else all three. */
export function apisFromEnv(env: NodeJS.ProcessEnv): ContractApi[] {
	const wanted = (env.DEFENDER_APIS ?? 'defenderXdr,graph,endpoint')
		.split(',')
		.map((api) => api.trim())
		.filter(Boolean);
	const unknown = wanted.filter((api) => !(api in API_NAMES));
	if (unknown.length)
		throw new ConfigError(
			`DEFENDER_APIS names ${unknown.join(', ')}; use defenderXdr, graph, endpoint.`,
		);
	return wanted as ContractApi[];
}

/** What of an error may be shown: the first line, without IDs, addresses or anything secret-like. */
function shownError(error: unknown, credential: ICredentialDataDecryptedObject): string {
	let text = error instanceof Error ? error.message : String(error);
	for (const secret of [credential.clientSecret, credential.tenantId, credential.clientId])
		if (typeof secret === 'string' && secret) text = text.split(secret).join('[redacted]');
	return text
		.split('\n')[0]
		.replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '[id]')
		.replace(/\b[0-9a-f]{32,}\b/gi, '[id]')
		.replace(/[\w.+-]+@[\w-]+(\.[\w-]+)+/g, '[address]')
		.replace(/https?:\/\/[^\s)'"]+/g, '[url]')
		.replace(/eyJ[\w-]+\.[\w-]+\.[\w-]*/g, '[token]')
		.slice(0, 300);
}

export interface ReadResult {
	title: string;
	endpoint?: string;
	api: ContractApi;
	outcome: 'checked' | 'answered' | 'skipped' | 'failed';
	records?: number;
	detail?: string;
	drift?: ReturnType<typeof checkResponse>;
}

export async function checkTenant(env: NodeJS.ProcessEnv): Promise<ReadResult[]> {
	const credential = credentialFromEnv(env);
	const apis = apisFromEnv(env);
	const nodeType = new MicrosoftDefender();
	const credentialType = new MicrosoftDefenderApi();
	const results: ReadResult[] = [];
	for (const read of READS) {
		if (!apis.includes(read.needs)) continue;
		const base = { title: read.title, endpoint: read.endpoint, api: read.needs };
		try {
			const [items = []] = await runNode({
				nodeType,
				credentialType,
				credentials: credential,
				parameters: read.parameters,
			});
			const records = items.map((item) => item.json as IDataObject);
			if (!read.endpoint) {
				results.push({ ...base, outcome: 'answered', records: records.length });
				continue;
			}
			const collection = read.endpoint.endsWith('.list');
			const drift = checkResponse(
				read.needs,
				read.endpoint,
				collection ? { value: records } : records[0],
			);
			results.push({ ...base, outcome: 'checked', records: drift.records, drift });
		} catch (error) {
			const detail = shownError(error, credential);
			const skipped = /403|permission|not consented|AADSTS/i.test(detail);
			results.push({ ...base, outcome: skipped ? 'skipped' : 'failed', detail });
		}
	}
	return results;
}

const list = (values: string[]) => values.map((v) => `\`${v}\``).join(', ');

/** The Markdown report to paste into an issue. */
export function report(results: ReadResult[], env: NodeJS.ProcessEnv): string {
	const csdl = (contracts() as { csdl: { source: { commit: string } } }).csdl.source.commit.slice(
		0,
		12,
	);
	const version = (
		JSON.parse(readFileSync(`${__dirname}/../../package.json`, 'utf8')) as { version: string }
	).version;
	const lines = [
		'### check:tenant report',
		'',
		`n8n-nodes-microsoft-defender ${version} · cloud \`${env.DEFENDER_CLOUD?.trim() || 'global'}\` · Graph CSDL ${csdl} · ${new Date().toISOString().slice(0, 16)}Z`,
		'',
		'| read | API | contract endpoint | result | records |',
		'| --- | --- | --- | --- | --- |',
	];
	for (const r of results)
		lines.push(
			`| ${r.title} | ${API_NAMES[r.api]} | ${r.endpoint ?? '(reshaped by the node)'} | ${r.outcome}${r.detail ? `: ${r.detail.replace(/\|/g, '\\|')}` : ''} | ${r.records ?? ''} |`,
		);
	const drifting = results.filter(
		(r) => r.drift && (r.drift.newFields.length || Object.keys(r.drift.unknownValues).length),
	);
	lines.push(
		'',
		`**Drift** (fields or enum values Microsoft's contract does not list): ${drifting.length === 0 ? 'none' : drifting.length}`,
	);
	for (const r of drifting) {
		lines.push(`- ${r.title} (${r.endpoint})`);
		if (r.drift?.newFields.length)
			lines.push(`  - fields not in the contract: ${list(r.drift.newFields)}`);
		for (const [field, values] of Object.entries(r.drift?.unknownValues ?? {}))
			lines.push(`  - \`${field}\` values not in the contract: ${list(values)}`);
	}
	const absent = results.filter((r) => r.drift?.missingFields.length);
	if (absent.length) {
		lines.push(
			'',
			'Documented fields no record carried (Microsoft omits empty fields; informational):',
		);
		for (const r of absent) lines.push(`- ${r.title}: ${list(r.drift?.missingFields ?? [])}`);
	}
	lines.push(
		'',
		'Read only: nothing was changed. No IDs, names, addresses or credentials are in this report.',
	);
	return lines.join('\n');
}
