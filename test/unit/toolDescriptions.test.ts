import { NodeHelpers, type INode, type INodePropertyOptions } from 'n8n-workflow';

import { MicrosoftDefender } from '../../dist/nodes/MicrosoftDefender/MicrosoftDefender.node';

// An AI Agent sees each operation of the tool variant through the description n8n builds for it
// (descriptionType "auto": the operation's action). It must say what a read returns, and that an
// operation changes state, so that an agent can pick the right one and a reviewer can gate it.
const nodeType = new MicrosoftDefender();

const operations = nodeType.description.properties
	.filter((property) => property.name === 'operation')
	.flatMap((property) => {
		const resources = (property.displayOptions?.show?.resource ?? []) as string[];
		return resources.flatMap((resource) =>
			(property.options as INodePropertyOptions[]).map((option) => ({
				resource,
				operation: String(option.value),
			})),
		);
	});

function toolDescription(resource: string, operation: string): string {
	const node: INode = {
		id: 'tool',
		name: 'Microsoft Defender',
		type: 'n8n-nodes-microsoft-defender.microsoftDefenderTool',
		typeVersion: 1,
		position: [0, 0],
		parameters: { descriptionType: 'auto', resource, operation },
	};
	return NodeHelpers.getToolDescriptionForNode(node, nodeType);
}

const reads = (operation: string) => operation === 'run' || /^(get|find)/.test(operation);

describe('tool descriptions an agent can act on', () => {
	it('covers every operation of every resource', () => {
		expect(operations.length).toBeGreaterThanOrEqual(25);
		const resources = nodeType.description.properties.find(
			(property) => property.name === 'resource',
		)?.options as INodePropertyOptions[];
		expect(new Set(operations.map(({ resource }) => resource))).toEqual(
			new Set(resources.map((option) => String(option.value))),
		);
	});

	it.each(operations.filter(({ operation }) => reads(operation)))(
		'$resource $operation says what it returns and does not claim to change state',
		({ resource, operation }) => {
			const description = toolDescription(resource, operation);
			expect(description).toMatch(/ in Microsoft Defender$/);
			expect(description).toMatch(/: |return/);
			expect(description).not.toMatch(/changes state/);
		},
	);

	it.each(operations.filter(({ operation }) => !reads(operation)))(
		'$resource $operation says it changes state',
		({ resource, operation }) => {
			expect(toolDescription(resource, operation)).toMatch(/\(changes state[):]/);
		},
	);
});
