/**
 * What users read in the editor: option labels in n8n's casing, sorted, and the saved values unchanged.
 */
import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';
import { NodeHelpers } from 'n8n-workflow';

import { MicrosoftDefenderApi } from '../../dist/credentials/MicrosoftDefenderApi.credentials';
import { MicrosoftDefender } from '../../dist/nodes/MicrosoftDefender/MicrosoftDefender.node';
import { MicrosoftDefenderTrigger } from '../../dist/nodes/MicrosoftDefender/MicrosoftDefenderTrigger.node';

/** Every property of a description, with the options of collections included. */
function flatten(properties: INodeProperties[]): INodeProperties[] {
	return properties.flatMap((property) => [
		property,
		...flatten(
			((property.options ?? []) as Array<INodeProperties | INodePropertyOptions>).filter(
				(option): option is INodeProperties => 'displayName' in option,
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
});
