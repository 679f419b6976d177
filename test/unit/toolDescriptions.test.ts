import {
	deepCopy,
	NodeHelpers,
	type INode,
	type INodeParameters,
	type INodePropertyOptions,
	type INodeType,
} from 'n8n-workflow';

import { MicrosoftDefender } from '../../dist/nodes/MicrosoftDefender/MicrosoftDefender.node';

// An AI Agent sees each operation of the tool variant through the description n8n gives it
// (NodeHelpers.getToolDescriptionForNode). It must say what a read returns, and that an operation
// changes state, so that an agent can pick the right one and a reviewer can gate it. The operation's
// `action` cannot carry that: n8n names new nodes after it, so it stays short.
const nodeType = new MicrosoftDefender();

/**
 * The tool variant as n8n derives it from `usableAsTool` (convertNodeToAiTool): the type name gains "Tool"
 * (which '@tool' display options test), and when the node has no `toolDescription` of its own n8n adds
 * one behind "Tool Description: Set Automatically" (descriptionType "auto"), i.e. "<action> in …".
 */
const toolType: INodeType = {
	description: {
		...deepCopy(nodeType.description),
		name: `${nodeType.description.name}Tool`,
	},
};
const hasOwnToolDescription = toolType.description.properties.some(
	(property) => property.name === 'toolDescription',
);

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

function toolNode(resource: string, operation: string): INode {
	const saved: INodeParameters = hasOwnToolDescription
		? { resource, operation }
		: { descriptionType: 'auto', resource, operation };
	const node: INode = {
		id: 'tool',
		name: 'Microsoft Defender',
		type: 'n8n-nodes-microsoft-defender.microsoftDefenderTool',
		typeVersion: 1,
		position: [0, 0],
		parameters: saved,
	};
	// What n8n's Workflow does with a saved node: the parameters it shows, with their defaults.
	node.parameters =
		NodeHelpers.getNodeParameters(
			toolType.description.properties,
			saved,
			true,
			false,
			node,
			toolType.description,
		) ?? saved;
	return node;
}

function toolDescription(resource: string, operation: string): string {
	return NodeHelpers.getToolDescriptionForNode(toolNode(resource, operation), toolType);
}

function optionOf(resource: string, operation: string): INodePropertyOptions {
	const dropdown = nodeType.description.properties.find(
		(property) =>
			property.name === 'operation' &&
			(property.displayOptions?.show?.resource ?? []).includes(resource),
	);
	return (dropdown?.options as INodePropertyOptions[]).find(
		(option) => option.value === operation,
	)!;
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
			expect(description).not.toMatch(/changes state/i);
			expect(optionOf(resource, operation).description).not.toMatch(/changes state/i);
		},
	);

	it.each(operations.filter(({ operation }) => !reads(operation)))(
		'$resource $operation says it changes state',
		({ resource, operation }) => {
			expect(toolDescription(resource, operation)).toMatch(/\(changes state[):]/);
			expect(optionOf(resource, operation).description).toMatch(/\. Changes state[.:]/);
		},
	);

	it.each(operations)(
		'$resource $operation: the action, which n8n names a new node after, is short and plain',
		({ resource, operation }) => {
			const { action } = optionOf(resource, operation);
			expect(action).toMatch(/^[A-Z][a-z]+ [^:()]+$/);
			expect(action!.length).toBeLessThanOrEqual(42);
			expect(action).not.toMatch(/changes state/i);
		},
	);

	it('shows the Tool Description only in the tool variant', () => {
		const regular = NodeHelpers.getNodeParameters(
			nodeType.description.properties,
			{ resource: 'machine', operation: 'isolate' },
			true,
			false,
			null,
			nodeType.description,
		);
		expect(regular).not.toHaveProperty('toolDescription');
		expect(toolNode('machine', 'isolate').parameters.toolDescription).toBe(
			'Isolate a device from the network (changes state: a response action) in Microsoft Defender',
		);
	});
});
