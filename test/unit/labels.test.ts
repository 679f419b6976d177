/**
 * What users read in the editor: option labels in n8n's casing, sorted, and the saved values unchanged.
 */
import type {
	INode,
	INodeParameters,
	INodeProperties,
	INodePropertyCollection,
	INodePropertyOptions,
} from 'n8n-workflow';
import { NodeHelpers } from 'n8n-workflow';

import { MicrosoftDefenderApi } from '../../dist/credentials/MicrosoftDefenderApi.credentials';
import { MicrosoftDefender } from '../../dist/nodes/MicrosoftDefender/MicrosoftDefender.node';
import { MicrosoftDefenderTrigger } from '../../dist/nodes/MicrosoftDefender/MicrosoftDefenderTrigger.node';
import { counted } from '../../dist/nodes/MicrosoftDefender/helpers/validate';

type Option = INodeProperties | INodePropertyOptions | INodePropertyCollection;

/** Every property of a description, with the fields of collections and fixed collections included. */
function flatten(properties: INodeProperties[]): INodeProperties[] {
	return properties.flatMap((property) => [
		property,
		...flatten(
			((property.options ?? []) as Option[]).flatMap((option) =>
				'values' in option ? option.values : 'type' in option ? [option] : [],
			),
		),
	]);
}

const nodeProperties = flatten(new MicrosoftDefender().description.properties);
const choices = (name: string) =>
	nodeProperties
		.filter((property) => property.name === name && Array.isArray(property.options))
		.map((property) => property.options as INodePropertyOptions[]);

describe('option labels', () => {
	it('indicator types, determinations and actions read as n8n writes them; the saved values are the API values', () => {
		const types = choices('indicatorType')[0];
		expect(types.map((option) => [option.name, option.value])).toEqual([
			['Auto (From the Value)', 'auto'],
			['Certificate Thumbprint', 'CertificateThumbprint'],
			['Domain Name', 'DomainName'],
			['File MD5', 'FileMd5'],
			['File SHA-1', 'FileSha1'],
			['File SHA-256', 'FileSha256'],
			['IP Address', 'IpAddress'],
			['URL', 'Url'],
		]);
		const determinations = choices('determination')[0];
		expect(determinations.map((option) => option.name)).toEqual(
			expect.arrayContaining([
				'Line-of-Business Application',
				'Multi-Staged Attack',
				'APT',
				'Not Enough Data to Validate',
			]),
		);
		expect(determinations.find((option) => option.value === 'NotMalicious')?.description).toBe(
			'With False Positive',
		);
		// Create offers the types Microsoft supports today; retired Alert / Alert and Block stay readable
		// (Get Many's filter), since older indicators carry them.
		const actions = choices('action')[0];
		expect(actions.map((option) => option.name)).toEqual([
			'Allowed',
			'Audit',
			'Block',
			'Block and Remediate',
			'Warn',
		]);
		expect(choices('action').map((list) => list.length)).toContain(7);
		expect(
			actions.every(
				(option) => typeof option.description === 'string' && option.description.length > 10,
			),
		).toBe(true);
	});

	it('small words stay lower case inside a label, as in n8n (Stop and Quarantine File, Terminated by User)', () => {
		const labels = [...choices('type'), ...choices('status'), ...choices('state')]
			.flat()
			.map((option) => option.name);
		expect(labels).toEqual(
			expect.arrayContaining(['Stop and Quarantine File', 'Terminated by User', 'Unsupported OS']),
		);
		expect(labels.filter((label) => / (And|By|For|Of|Or|Per|To|With) /.test(label))).toEqual([]);
	});

	it('Determination lists only the determinations that fit the Classification chosen (incident and alert Update)', () => {
		const description = new MicrosoftDefender().description;
		const updateFields = description.properties.filter(
			(property) =>
				property.name === 'updateFields' &&
				(property.options as INodeProperties[]).some((option) => option.name === 'determination'),
		);
		expect(updateFields.map((property) => property.displayOptions?.show?.resource)).toEqual([
			['incident'],
			['alert'],
		]);
		for (const collection of updateFields) {
			// What n8n's editor shows for the Determination field, given the values in the same Update Fields
			// and the API picked.
			const shown = (values: Record<string, string>, api = 'defenderXdr') =>
				(collection.options as INodeProperties[])
					.filter(
						(option) =>
							option.name === 'determination' &&
							NodeHelpers.displayParameter(values, option, { typeVersion: 1 }, description, {
								api,
								updateFields: values,
							}),
					)
					.map((option) => (option.options as INodePropertyOptions[]).map(({ name }) => name));
			// APT and Security Personnel: Graph only (deprecated on the other APIs in August 2022).
			expect(shown({ classification: 'TruePositive' }, 'graph')[0]).toEqual(
				expect.arrayContaining(['APT', 'Security Personnel']),
			);
			expect(shown({ classification: 'TruePositive' })[0]).not.toContain('APT');
			expect(shown({ classification: 'TruePositive' })[0]).not.toContain('Security Personnel');
			expect(shown({}, 'graph')[0]).toHaveLength(15);
			expect(shown({ classification: 'FalsePositive' })).toEqual([
				['Not Available', 'Not Enough Data to Validate', 'Not Malicious', 'Other'],
			]);
			expect(shown({ classification: 'InformationalExpectedActivity' })).toEqual([
				[
					'Confirmed Activity',
					'Line-of-Business Application',
					'Not Available',
					'Other',
					'Security Testing',
				],
			]);
			expect(shown({ classification: 'TruePositive' })[0]).toEqual(
				expect.arrayContaining(['Multi-Staged Attack', 'Malware', 'Phishing', 'Other']),
			);
			expect(shown({ classification: 'TruePositive' })[0]).not.toContain('Not Malicious');
			expect(shown({ classification: 'Unknown' })).toEqual([['Not Available']]);
			// No classification added: all fifteen on Graph, thirteen elsewhere, each saying which
			// classification it goes with.
			const all = shown({});
			expect(all).toHaveLength(1);
			expect(all[0]).toHaveLength(13);
		}
	});

	it('every options list of the node, the trigger and the credential is sorted by label (Auto first where offered)', () => {
		const all = [
			...nodeProperties,
			...flatten(new MicrosoftDefenderTrigger().description.properties),
			...new MicrosoftDefenderApi().properties,
		].filter(
			(property) =>
				['options', 'multiOptions'].includes(property.type) && Array.isArray(property.options),
		);
		const unsorted = all
			.map((property) => ({
				name: property.name,
				labels: (property.options as INodePropertyOptions[])
					.filter((option) => option.value !== 'auto')
					.map((option) => option.name),
			}))
			.filter(
				({ labels }) =>
					labels.join('\n') !== [...labels].sort((a, b) => a.localeCompare(b)).join('\n'),
			);
		expect(unsorted).toEqual([]);
	});

	it('a new Classification is not pre-set to True Positive', () => {
		expect(
			nodeProperties
				.filter((property) => property.name === 'classification')
				.map((property) => property.default),
		).not.toContain('TruePositive');
	});

	it('the canvas subtitle names each resource as the Resource dropdown does (Device, not machine)', () => {
		const { subtitle, properties } = new MicrosoftDefender().description;
		const names = JSON.parse(
			/\((\{.*\})\[\$parameter\["resource"\]\]/.exec(subtitle ?? '')?.[1] ?? '{}',
		);
		const resource = properties.find((property) => property.name === 'resource');
		const options = resource?.options as INodePropertyOptions[];
		expect(names).toEqual(Object.fromEntries(options.map((option) => [option.value, option.name])));
		expect(names.machine).toBe('Device');
	});

	it('Return All and Limit come before Filters in every operation that has both', () => {
		const { properties } = new MicrosoftDefender().description;
		const shownFor = (property: INodeProperties, resource: string, operation: string) =>
			((property.displayOptions?.show?.resource as string[]) ?? []).includes(resource) &&
			((property.displayOptions?.show?.operation as string[]) ?? []).includes(operation);
		const operations = properties
			.filter((property) => property.name === 'operation')
			.flatMap((property) =>
				((property.displayOptions?.show?.resource as string[]) ?? []).flatMap((resource) =>
					(property.options as INodePropertyOptions[]).map((option) => ({
						resource,
						operation: String(option.value),
					})),
				),
			);
		const misplaced = operations.filter(({ resource, operation }) => {
			const names = properties
				.filter((property) => shownFor(property, resource, operation))
				.map((property) => property.name);
			return names.includes('filters') && names.indexOf('returnAll') > names.indexOf('filters');
		});
		expect(misplaced).toEqual([]);
		expect(operations.filter(({ resource }) => resource === 'vulnerability')).not.toEqual([]);
	});

	it('resource locator modes that take names have their own mode; the saved mode id stays', () => {
		const modes = (name: string) =>
			nodeProperties
				.filter((property) => property.name === name && property.type === 'resourceLocator')
				.map((property) => (property.modes ?? []).map((mode) => [mode.name, mode.displayName]));
		expect(modes('machineId')[0]).toEqual([
			['list', 'From List'],
			['id', 'By ID'],
			['name', 'By Name'],
		]);
		expect(modes('account')[0]).toEqual([
			['list', 'From List'],
			['id', 'By ID'],
			['name', 'By Username'],
		]);
		// The library Delete's File Name (saved with mode id) and the live response pickers.
		expect(modes('fileName')).toEqual(
			expect.arrayContaining([
				[
					['list', 'From List'],
					['name', 'By Name'],
					['id', 'By ID'],
				],
				[
					['list', 'From List'],
					['name', 'By Name'],
				],
			]),
		);
		expect(modes('scriptName')[0]).toEqual([
			['list', 'From List'],
			['name', 'By Name'],
		]);
	});

	it('no hint or description holds <text> that n8n would strip as HTML', () => {
		const all = [
			...nodeProperties,
			...flatten(new MicrosoftDefenderTrigger().description.properties),
			...new MicrosoftDefenderApi().properties,
		];
		const texts = all.flatMap((property) => [property.hint ?? '', property.description ?? '']);
		expect(texts.filter((text) => /<[a-z][^>]*>/i.test(text))).toEqual([]);
	});

	it('every hunting template shows exactly one Entity field, named for what it takes', () => {
		const description = new MicrosoftDefender().description;
		const template = nodeProperties.find((property) => property.name === 'template')!;
		const shown = (value: string) =>
			description.properties
				.filter(
					(property) =>
						property.name === 'entityValue' &&
						NodeHelpers.displayParameter(
							{
								resource: 'huntingQuery',
								operation: 'run',
								querySource: 'template',
								template: value,
							},
							property,
							{ typeVersion: 1.1 },
							description,
						),
				)
				.map((property) => property.displayName);
		const fields = Object.fromEntries<string[]>(
			(template.options as INodePropertyOptions[]).map((option) => [
				String(option.value),
				shown(String(option.value)),
			]),
		);
		expect(fields).toMatchObject({
			deviceProcessEvents: ['Device Name or ID'],
			filePrevalence: ['File Hash'],
			userLogons: ['User'],
			emailReceived: ['Recipient Email Address'],
			urlClicks: ['URL or Domain'],
			alertsForEntity: ['Entity Value'],
		});
		expect(Object.values(fields).every((names) => names.length === 1)).toBe(true);
	});

	it('counts read in the right number (1 weakness, 2 exposed devices)', () => {
		expect(counted(1, 'weakness', 'weaknesses')).toBe('1 weakness');
		expect(counted(0, 'weakness', 'weaknesses')).toBe('0 weaknesses');
		expect(counted(2, 'exposed device')).toBe('2 exposed devices');
		expect(counted(undefined, 'exposed device')).toBe('0 exposed devices');
	});
});

describe('Run Live Response in the editor', () => {
	const description = new MicrosoftDefender().description;
	const node = (typeVersion: number, parameters: INodeParameters): INode => ({
		id: 'n',
		name: 'Microsoft Defender',
		type: 'microsoftDefender',
		typeVersion,
		position: [0, 0],
		parameters: {
			resource: 'machine',
			operation: 'runLiveResponse',
			machineId: { __rl: true, mode: 'id', value: 'x' },
			comment: 'c',
			...parameters,
		},
	});
	const issues = (typeVersion: number, parameters: INodeParameters) =>
		NodeHelpers.getNodeParametersIssues(
			description.properties,
			node(typeVersion, parameters),
			description,
		);
	const commandGroups = (version: number) =>
		description.properties
			.filter(
				(property) =>
					property.name === 'commands' &&
					(property.displayOptions?.show?.['@version'] as number[]).includes(version),
			)
			.map((property) => (property.options as INodePropertyCollection[]).map((g) => g.name));

	it('version 1.1 offers one group per command type; version 1 keeps its typed list', () => {
		expect(commandGroups(1.1)).toEqual([['putFile', 'runScript', 'getFile']]);
		expect(commandGroups(1)).toEqual([['command']]);
		// New nodes get the highest version; a defaultVersion would hide n8n's Custom API Call.
		expect(description.version).toEqual([1, 1.1]);
		expect(description.defaultVersion).toBeUndefined();
	});

	it('flags empty script names and paths in the editor', () => {
		const empty = issues(1.1, {
			commands: {
				runScript: [{ scriptName: { __rl: true, mode: 'list', value: '' }, args: '' }],
				getFile: [{ path: '' }],
			},
		});
		expect(Object.keys(empty?.parameters ?? {})).toEqual(
			expect.arrayContaining(['scriptName', 'path']),
		);
		const filled = issues(1.1, {
			commands: {
				runScript: [{ scriptName: { __rl: true, mode: 'name', value: 'a.ps1' }, args: '' }],
				getFile: [{ path: 'C:\\a.txt' }],
			},
		});
		expect(filled).toBeNull();
	});

	it('says that no file comes back while Wait for Completion is off', () => {
		const notice = description.properties.find(
			(property) =>
				property.type === 'notice' &&
				(property.displayOptions?.show?.operation as string[] | undefined)?.includes(
					'runLiveResponse',
				),
		);
		expect(notice?.displayName).toMatch(/no script output and no collected file/);
		expect(notice?.displayOptions?.show?.waitForCompletion).toEqual([false]);
	});
});

describe('credential dialog', () => {
	const properties = new MicrosoftDefenderApi().properties;
	it('with Custom Endpoints, the four URLs come right below Cloud', () => {
		const names = properties.map((property) => property.name);
		const cloud = names.indexOf('cloud');
		expect(names.slice(cloud + 1, cloud + 5)).toEqual([
			'authorityUrl',
			'defenderApiUrl',
			'graphApiUrl',
			'endpointApiUrl',
		]);
	});

	it('shows Quota Window only for an emulator on this machine', () => {
		const field = properties.find((property) => property.name === 'quotaWindowSeconds')!;
		const shown = (values: INodeParameters) =>
			NodeHelpers.displayParameter(values, field, null, null);
		expect(shown({ cloud: 'custom', authorityUrl: 'https://127.0.0.1:4443' })).toBe(true);
		expect(shown({ cloud: 'custom', authorityUrl: 'https://localhost:8443/' })).toBe(true);
		expect(shown({ cloud: 'custom', authorityUrl: 'https://login.microsoftonline.us' })).toBe(
			false,
		);
		expect(shown({ cloud: 'global', authorityUrl: 'https://127.0.0.1:4443' })).toBe(false);
	});
});
