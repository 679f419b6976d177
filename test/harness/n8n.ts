/**
 * Runs a node's execute() and a trigger's poll() through n8n-core's own execution code
 * (WorkflowExecute.runNode, PollContext, PollTriggerExecutor, CredentialTestContext), so that
 * getNodeParameter, getCredentials, paired items and helpers.httpRequestWithAuthentication are
 * n8n's real ones. Only n8n's CLI services (database, credential store) are stood in for.
 */
import './env';

// n8n-core's own (hoisted) @n8n/di: its Container builds n8n-core's services on first use.
import { Container } from '@n8n/di';
import {
	CredentialTestContext,
	ExternalSecretsProxy,
	isEngineRequest,
	LoadOptionsContext,
	PollContext,
	PollTriggerExecutor,
	WorkflowExecute,
} from 'n8n-core';
import {
	createRunExecutionData,
	deepCopy,
	ICredentialsHelper,
	isExpression,
	NodeApiError,
	NodeHelpers,
	UnexpectedError,
	Workflow,
	type ICredentialDataDecryptedObject,
	type ICredentials,
	type ICredentialType,
	type IDataObject,
	type IExecuteData,
	type IHttpRequestHelper,
	type IHttpRequestOptions,
	type INode,
	type INodeCredentialsDetails,
	type INodeCredentialTestResult,
	type INodeExecutionData,
	type INodeListSearchResult,
	type INodeParameters,
	type INodeProperties,
	type INodeType,
	type INodeTypes,
	type IRequestOptionsSimplified,
	type JsonObject,
	type IWorkflowExecuteAdditionalData,
	type WorkflowExecuteMode,
} from 'n8n-workflow';

/**
 * Plays n8n's CLI CredentialsHelper for one credential type. `stored` is the credential record:
 * what preAuthentication returns is written back into it, as n8n writes it into the database.
 */
class HarnessCredentialsHelper extends ICredentialsHelper {
	constructor(
		private readonly type: ICredentialType,
		private readonly stored: ICredentialDataDecryptedObject,
		private readonly n8nMajor: 1 | 2 = 2,
	) {
		super();
	}

	private typeNamed(name: string): ICredentialType {
		if (name !== this.type.name) throw new UnexpectedError(`Unknown credential type "${name}"`);
		return this.type;
	}

	getParentTypes(name: string): string[] {
		return this.typeNamed(name).extends ?? [];
	}

	isCredentialUsableByNode(): boolean {
		return true;
	}

	getCredentialsProperties(name: string): INodeProperties[] {
		return this.typeNamed(name).properties;
	}

	/** Like n8n: a fresh copy of the record on every call, with the type's defaults filled in. */
	async getDecrypted(
		_additionalData: IWorkflowExecuteAdditionalData,
		_nodeCredentials: INodeCredentialsDetails,
		type: string,
	): Promise<ICredentialDataDecryptedObject> {
		return withDefaults(this.typeNamed(type), this.stored);
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions | IRequestOptionsSimplified,
		workflow?: Workflow,
		node?: INode,
	): Promise<IHttpRequestOptions> {
		const { authenticate } = this.typeNamed(typeName);
		// n8n casts the same way: nodes hand helpers either request shape.
		const options = requestOptions as IHttpRequestOptions;
		if (typeof authenticate === 'function') {
			try {
				return await authenticate(credentials, options);
			} catch (error) {
				if (this.n8nMajor === 2 || !node || !(error instanceof Error)) throw error;
				// n8n 1.x wraps it in a NodeApiError whose class field `cause` resets the original error
				// (n8n-workflow 1.x ExecutionBaseError): only its message and description survive.
				const wrapped = new NodeApiError(node, error as unknown as JsonObject);
				delete (wrapped as { cause?: unknown }).cause;
				throw wrapped;
			}
		}
		if (authenticate?.type !== 'generic') return options;
		if (!workflow || !node) {
			throw new UnexpectedError('Generic authentication needs the workflow and node');
		}
		// `={{$credentials.x}}` keys and values are resolved by n8n's expression engine, as in n8n.
		const resolve = (value: unknown) =>
			isExpression(value)
				? String(
						workflow.expression.getSimpleParameterValue(node, value, 'internal', {
							$credentials: credentials,
						}) ?? '',
					)
				: String(value);
		// headers, qs, body or auth: each is a flat object of key/value pairs.
		const target = options as unknown as Record<string, IDataObject | undefined>;
		for (const [part, entries] of Object.entries(authenticate.properties)) {
			const resolved = (target[part] ??= {});
			for (const [key, value] of Object.entries(entries as IDataObject)) {
				resolved[resolve(key)] = resolve(value);
			}
		}
		return options;
	}

	/** n8n's rule: run preAuthentication when the `expirable` hidden field is empty or refused. */
	async preAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		_node: INode,
		credentialsExpired: boolean,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const type = this.typeNamed(typeName);
		const expirable = type.properties.find(
			(p) => p.type === 'hidden' && p.typeOptions?.expirable === true,
		);
		if (!expirable || typeof type.preAuthentication !== 'function') return undefined;
		if (credentials[expirable.name] !== '' && !credentialsExpired) return undefined;
		const output = await type.preAuthentication.call(helpers, credentials);
		if (output[expirable.name] === undefined) return undefined;
		Object.assign(this.stored, output);
		return Object.assign(credentials, output);
	}

	async updateCredentials(
		_nodeCredentials: INodeCredentialsDetails,
		_type: string,
		data: ICredentialDataDecryptedObject,
	): Promise<void> {
		Object.assign(this.stored, data);
	}

	// The rest serve OAuth1/OAuth2 credential types, which this package does not use.
	async runPreAuthentication(): Promise<undefined> {
		throw oauthUnsupported();
	}

	async updateCredentialsOauthTokenData(): Promise<void> {
		throw oauthUnsupported();
	}

	async getCredentials(): Promise<ICredentials> {
		throw oauthUnsupported();
	}
}

const oauthUnsupported = () =>
	new UnexpectedError('OAuth credential types are not supported by the harness');

function withDefaults(
	type: ICredentialType,
	data: ICredentialDataDecryptedObject,
): ICredentialDataDecryptedObject {
	// The same call n8n's CredentialsHelper.applyDefaultsAndOverwrites makes.
	const values = deepCopy(data) as INodeParameters;
	const filled = NodeHelpers.getNodeParameters(type.properties, values, true, false, null, null);
	return (filled ?? {}) as ICredentialDataDecryptedObject;
}

const notInHarness = async (): Promise<never> => {
	throw new UnexpectedError('Not available in the test harness');
};

function additionalData(credentialsHelper: ICredentialsHelper): IWorkflowExecuteAdditionalData {
	const base = 'http://localhost:5678';
	return {
		credentialsHelper,
		executeWorkflow: notInHarness,
		startRunnerTask: notInHarness,
		getRunExecutionData: async () => undefined,
		getRuntimeCredential: async () => undefined,
		logAiEvent: () => undefined,
		externalSecretsProxy: new ExternalSecretsProxy(),
		currentNodeExecutionIndex: 0,
		variables: {},
		restApiUrl: `${base}/rest`,
		instanceBaseUrl: `${base}/`,
		formBaseUrl: `${base}/form`,
		formWaitingBaseUrl: `${base}/form-waiting`,
		formTestBaseUrl: `${base}/form-test`,
		webhookBaseUrl: `${base}/webhook`,
		webhookWaitingBaseUrl: `${base}/webhook-waiting`,
		webhookTestBaseUrl: `${base}/webhook-test`,
		mcpBaseUrl: `${base}/mcp`,
		mcpTestBaseUrl: `${base}/mcp-test`,
	};
}

interface NodeSetup {
	nodeType: INodeType;
	credentialType: ICredentialType;
	credentials: ICredentialDataDecryptedObject;
	parameters: INodeParameters;
	/** Which n8n line's error wrapping to play (default 2); see HarnessCredentialsHelper.authenticate. */
	n8nMajor?: 1 | 2;
	/** The node's version as a saved workflow holds it (default: the newest). */
	typeVersion?: number;
}

/** A one-node workflow as the editor would save it, with the node's credential selected. */
function setUp(opts: NodeSetup, staticData: IDataObject, active: boolean, continueOnFail = false) {
	const { description } = opts.nodeType;
	const node: INode = {
		id: 'a0b1c2d3-0000-4000-8000-000000000001',
		name: description.defaults.name ?? description.displayName,
		type: description.name,
		typeVersion:
			opts.typeVersion ??
			(Array.isArray(description.version) ? Math.max(...description.version) : description.version),
		position: [0, 0],
		parameters: deepCopy(opts.parameters),
		credentials: {
			[opts.credentialType.name]: { id: '1', name: opts.credentialType.displayName },
		},
		...(continueOnFail && { onError: 'continueRegularOutput' as const }),
	};
	// The workflow holds only this node, so every lookup resolves to its type.
	const nodeTypes: INodeTypes = {
		getByName: () => opts.nodeType,
		getByNameAndVersion: () => opts.nodeType,
		getKnownTypes: () => ({}),
	};
	// The Workflow constructor fills in parameter defaults (NodeHelpers.getNodeParameters) itself.
	const workflow = new Workflow({
		id: 'harness-workflow',
		name: 'Harness workflow',
		nodes: [node],
		connections: {},
		active,
		nodeTypes,
		staticData,
		settings: { executionOrder: 'v1' },
	});
	const helper = new HarnessCredentialsHelper(opts.credentialType, opts.credentials, opts.n8nMajor);
	return { workflow, node, additionalData: additionalData(helper) };
}

async function runThroughEngine(
	setup: ReturnType<typeof setUp>,
	mode: WorkflowExecuteMode,
	inputItems: INodeExecutionData[],
): Promise<INodeExecutionData[][] | null> {
	const { workflow, node, additionalData } = setup;
	const runExecutionData = createRunExecutionData();
	const executeData: IExecuteData = { node, data: { main: [inputItems] }, source: null };
	const response = await new WorkflowExecute(additionalData, mode, runExecutionData).runNode(
		workflow,
		executeData,
		runExecutionData,
		0,
		additionalData,
		mode,
	);
	if (isEngineRequest(response)) throw new UnexpectedError('Engine requests are not supported');
	return response.data ?? null;
}

/**
 * Runs the node's execute() the way WorkflowExecute does for one node with these input items.
 * Returns what execute() returned (n8n's later automatic pairedItem filling is not applied; no
 * input items means n8n does not run the node: []). Errors propagate. `credentials` is the
 * stored credential record (see HarnessCredentialsHelper).
 */
export async function runNode(
	opts: NodeSetup & {
		inputItems?: INodeExecutionData[];
		continueOnFail?: boolean;
		mode?: WorkflowExecuteMode;
	},
): Promise<INodeExecutionData[][]> {
	const setup = setUp(opts, {}, false, opts.continueOnFail);
	const inputItems = opts.inputItems ?? [{ json: {} }];
	return (await runThroughEngine(setup, opts.mode ?? 'manual', inputItems)) ?? [];
}

/**
 * Runs the trigger's poll() as n8n does.
 * - 'trigger' (default): a scheduled poll of an active workflow, through PollTriggerExecutor.
 *   `staticData` is the workflow's static data (node data under `node:<node name>`) and is
 *   mutated in place, as n8n mutates the in-memory workflow it keeps between polls.
 * - 'manual': the editor's Fetch Test Event, through WorkflowExecute. n8n does not save static
 *   data after manual executions, so the poll works on a copy and `staticData` stays unchanged.
 * `result` is what poll() returned (null: nothing new; n8n then starts no execution).
 */
export async function runPoll(
	opts: NodeSetup & { staticData?: IDataObject; mode?: 'trigger' | 'manual' },
): Promise<{ result: INodeExecutionData[][] | null; staticData: IDataObject }> {
	const staticData = opts.staticData ?? {};
	if (opts.mode === 'manual') {
		const setup = setUp(opts, deepCopy(staticData), false);
		return { result: await runThroughEngine(setup, 'manual', [{ json: {} }]), staticData };
	}
	const { workflow, node, additionalData } = setUp(opts, staticData, true);
	const outcome: { result: INodeExecutionData[][] | null; error?: Error } = { result: null };
	const context = new PollContext(
		workflow,
		node,
		additionalData,
		'trigger',
		'activate',
		(data) => (outcome.result = data),
		(error) => (outcome.error = error),
	);
	await Container.get(PollTriggerExecutor).create(workflow, node, context, () => true)();
	if (outcome.error) throw outcome.error;
	return { result: outcome.result, staticData };
}

/**
 * Runs `nodeType.methods.listSearch[method]` as n8n's editor does for a resource locator's "From list"
 * (DynamicNodeParametersService): on a LoadOptionsContext whose current node parameters are the node's,
 * with their defaults; `paginationToken` is what the previous page returned ("load more").
 */
export async function runListSearch(
	opts: NodeSetup & {
		method: string;
		parameterName: string;
		filter?: string;
		paginationToken?: string;
	},
): Promise<INodeListSearchResult> {
	const search = opts.nodeType.methods?.listSearch?.[opts.method];
	if (!search) throw new UnexpectedError(`No listSearch method "${opts.method}"`);
	const { workflow, node, additionalData } = setUp(opts, {}, false);
	const withDefaults = workflow.getNode(node.name) ?? node;
	const context = new LoadOptionsContext(
		workflow,
		withDefaults,
		{ ...additionalData, currentNodeParameters: withDefaults.parameters },
		`parameters.${opts.parameterName}`,
	);
	return await search.call(context, opts.filter, opts.paginationToken);
}

/**
 * Runs `nodeType.methods.credentialTest[testName]` as n8n's CredentialsTester does for the
 * credential Test button: found through a `credentials[].testedBy`, called on a
 * CredentialTestContext with the credential's defaults applied (when `credentialType` is given).
 */
export async function runCredentialTest(
	nodeType: INodeType,
	testName: string,
	credentials: ICredentialDataDecryptedObject,
	credentialType?: ICredentialType,
): Promise<INodeCredentialTestResult> {
	const declared = nodeType.description.credentials?.find((c) => c.testedBy === testName);
	const test = nodeType.methods?.credentialTest?.[testName];
	if (!declared || !test) {
		throw new UnexpectedError(`No credentials[].testedBy names the test "${testName}"`);
	}
	const data = credentialType ? withDefaults(credentialType, credentials) : deepCopy(credentials);
	return await test.call(new CredentialTestContext(), {
		id: '1',
		name: declared.name,
		type: declared.name,
		data,
	});
}
