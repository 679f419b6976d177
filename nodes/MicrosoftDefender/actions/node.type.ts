import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import type * as alert from './alert';
import type * as liveResponseLibrary from './liveResponseLibrary';
import type * as file from './file';
import type * as ip from './ip';
import type * as domain from './domain';
import type * as vulnerability from './vulnerability';
import type * as software from './software';
import type * as recommendation from './recommendation';
import type * as investigation from './investigation';
import type * as exposureScore from './exposureScore';
import type * as user from './user';
import type * as device from './device';
import type * as huntingQuery from './huntingQuery';
import type * as incident from './incident';
import type * as indicator from './indicator';
import type * as machineAction from './machineAction';

/** An operation's entry in its resource's Operation dropdown; the value is its export name in the index. */
export interface OperationOption {
	name: string;
	/** Under the name in the dropdown; a write says "Changes state". */
	description: string;
	/** Short and plain, e.g. "Isolate a device": n8n names a new node after it and lists it in the actions panel. */
	action: string;
	/**
	 * What an AI agent is told the tool does (the tool variant's Tool Description, followed by " in Microsoft
	 * Defender"): what a read returns, "(changes state…)" for a write.
	 */
	toolDescription: string;
}

/** What every `<resource>/<operation>.operation.ts` exports. */
export interface OperationModule {
	option: OperationOption;
	/** Its fields; the resource shows them for this operation only (see resources.ts). */
	properties: INodeProperties[];
	execute(this: IExecuteFunctions, index: number): Promise<INodeExecutionData[]>;
}

/** Compiles only if every export of every resource index is an operation. */
type Checked<T extends { [R in keyof T]: { [O in keyof T[R]]: OperationModule } }> = T;

/** Each saved `resource` value with its index module; each export of the index is a saved `operation` value. */
export type ResourceModules = Checked<{
	incident: typeof incident;
	huntingQuery: typeof huntingQuery;
	alert: typeof alert;
	machine: typeof device;
	machineAction: typeof machineAction;
	indicator: typeof indicator;
	liveResponseLibrary: typeof liveResponseLibrary;
	file: typeof file;
	ip: typeof ip;
	domain: typeof domain;
	vulnerability: typeof vulnerability;
	software: typeof software;
	recommendation: typeof recommendation;
	investigation: typeof investigation;
	exposureScore: typeof exposureScore;
	user: typeof user;
}>;

export type ResourceName = keyof ResourceModules;
export type OperationName<R extends ResourceName> = keyof ResourceModules[R] & string;

/** Every resource/operation pair the node runs. */
export type MicrosoftDefenderType = {
	[R in ResourceName]: { resource: R; operation: OperationName<R> };
}[ResourceName];
