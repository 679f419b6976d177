import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { filterEntities, groupEntities, type Entity } from './entities';

/** One item per entity, or one item grouped by kind; every item pairs with the input item. */
export function entityItems(
	context: IExecuteFunctions,
	index: number,
	entities: Entity[],
	incidentId: string | null,
): INodeExecutionData[] {
	const kinds = context.getNodeParameter('entityTypes', index, []) as string[];
	const kept = filterEntities(entities, kinds);
	const json: IDataObject[] = context.getNodeParameter('options.groupByKind', index, false)
		? [groupEntities(kept, incidentId)]
		: kept;
	return context.helpers.constructExecutionMetaData(context.helpers.returnJsonArray(json), {
		itemData: { item: index },
	});
}

/** The input item's JSON, for Source: Input Item. */
export function inputRecord(context: IExecuteFunctions, index: number): IDataObject {
	return context.getInputData()[index]?.json ?? {};
}
