import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { odataString } from '../../helpers/odata';
import { inputError } from '../lookup';
import { filtersCollection, listLocator } from '../../descriptions/common';
import { locatorValue } from '../../helpers/parameters';

export const PERMISSION = 'Software.Read.All';

export const softwareIdField: INodeProperties = listLocator({
	displayName: 'Software',
	name: 'softwareId',
	searchListMethod: 'searchSoftware',
	placeholder: 'e.g. microsoft-_-edge',
	description: 'Vendor and product joined by -_- , as Defender lists them (Get Many shows the IDs)',
});

export function softwareIdFrom(context: IExecuteFunctions, index: number): string {
	const id = locatorValue(context, 'softwareId', index);
	if (!id.includes('-_-'))
		throw inputError(
			context,
			index,
			`"${id}" is not a software ID. It is vendor-_-product, e.g. microsoft-_-edge (Software → Get Many lists them).`,
		);
	return id;
}

export const notFound = (id: string) =>
	`Software ${id} not found in your organisation's inventory.`;

export const filtersField = filtersCollection([
	{
		displayName: 'Name',
		name: 'name',
		type: 'string',
		default: '',
		placeholder: 'e.g. chrome',
		description: 'Product name as Defender spells it',
	},
	{
		displayName: 'Vendor',
		name: 'vendor',
		type: 'string',
		default: '',
		placeholder: 'e.g. google',
	},
]);

export function softwareFilter(filters: IDataObject): string | undefined {
	const clauses = ['name', 'vendor']
		.filter((key) => typeof filters[key] === 'string' && (filters[key] as string).trim() !== '')
		.map((key) => `${key} eq ${odataString((filters[key] as string).trim())}`);
	return clauses.length > 0 ? clauses.join(' and ') : undefined;
}
