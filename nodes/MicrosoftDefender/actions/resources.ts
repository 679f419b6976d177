import type { INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import * as alert from './alert';
import * as liveResponseLibrary from './liveResponseLibrary';
import * as file from './file';
import * as ip from './ip';
import * as domain from './domain';
import * as vulnerability from './vulnerability';
import * as software from './software';
import * as recommendation from './recommendation';
import * as investigation from './investigation';
import * as exposureScore from './exposureScore';
import * as user from './user';
import * as device from './device';
import * as huntingQuery from './huntingQuery';
import * as incident from './incident';
import * as indicator from './indicator';
import * as machineAction from './machineAction';
import type {
	OperationModule,
	OperationName,
	OperationOption,
	ResourceModules,
	ResourceName,
} from './node.type';

const RESOURCES: ResourceModules = {
	incident,
	huntingQuery,
	alert,
	machine: device,
	machineAction,
	indicator,
	liveResponseLibrary,
	file,
	ip,
	domain,
	vulnerability,
	software,
	recommendation,
	investigation,
	exposureScore,
	user,
};

/** Saved workflows omit a parameter that equals its default, so these never change. */
const DEFAULT_OPERATION: { [R in ResourceName]: OperationName<R> } = {
	incident: 'getAll',
	huntingQuery: 'run',
	alert: 'getAll',
	machine: 'getAll',
	machineAction: 'getAll',
	indicator: 'create',
	liveResponseLibrary: 'getAll',
	file: 'get',
	ip: 'getStatistics',
	domain: 'getStatistics',
	vulnerability: 'getAll',
	software: 'getAll',
	recommendation: 'getAll',
	investigation: 'getAll',
	exposureScore: 'get',
	user: 'getDevices',
};

function operationsOf(resource: ResourceName): Array<[string, OperationModule]> {
	return Object.entries(RESOURCES[resource] as Record<string, OperationModule>);
}

/** The operation saved as `resource`/`operation`, or undefined for a pair the node does not have. */
export function operationFor(resource: string, operation: string): OperationModule | undefined {
	if (!Object.prototype.hasOwnProperty.call(RESOURCES, resource)) return undefined;
	return operationsOf(resource as ResourceName).find(([name]) => name === operation)?.[1];
}

/**
 * The description an AI agent gets for the tool variant, one per operation, shown only there ('@tool'). n8n
 * would build it from `action` ("<action> in Microsoft Defender"), which is kept short because n8n also names
 * new nodes after it; with this field present n8n gives the agent its text instead, which says what a read
 * returns and that a write changes state. The user may edit it in the tool node.
 */
function toolDescriptionOf(
	resource: ResourceName,
	operation: string,
	option: OperationOption,
): INodeProperties {
	return {
		displayName: 'Tool Description',
		name: 'toolDescription',
		type: 'string',
		typeOptions: { rows: 2 },
		default: `${option.toolDescription} in Microsoft Defender`,
		description:
			'What the AI agent is told this tool does; a clear description helps it pick the right tool',
		displayOptions: { show: { '@tool': [true], resource: [resource], operation: [operation] } },
	};
}

/** Per resource: its Operation dropdown (sorted by name) and each operation's fields, shown for that operation only. */
export function resourceProperties(): INodeProperties[] {
	return (Object.keys(RESOURCES) as ResourceName[]).flatMap((resource) => {
		const operations = operationsOf(resource);
		// A plain identifier: n8n's lint reads `default` statically and cannot follow an index expression.
		const defaultOperation = DEFAULT_OPERATION[resource];
		const dropdown: INodeProperties = {
			displayName: 'Operation',
			name: 'operation',
			type: 'options',
			noDataExpression: true,
			displayOptions: { show: { resource: [resource] } },
			options: operations
				.map(([value, { option }]) => ({
					name: option.name,
					value,
					description: option.description,
					action: option.action,
				}))
				.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
			default: defaultOperation,
		};
		return [
			dropdown,
			...operations.flatMap(([operation, { option, properties }]) => [
				toolDescriptionOf(resource, operation, option),
				...updateDisplayOptions(
					{ show: { resource: [resource], operation: [operation] } },
					properties,
				),
			]),
		];
	});
}
