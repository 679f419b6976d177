import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { odataString } from '../../helpers/odata';
import { inputError } from '../lookup';
import { filtersCollection, listLocator } from '../../descriptions/common';
import { locatorValue } from '../../helpers/parameters';

export const PERMISSION = 'SecurityRecommendation.Read.All';

export const recommendationIdField: INodeProperties = listLocator({
	displayName: 'Recommendation',
	name: 'recommendationId',
	searchListMethod: 'searchRecommendations',
	placeholder: 'e.g. va-_-google-_-chrome',
	description: 'As Defender lists it (Get Many shows the IDs)',
});

export function recommendationIdFrom(context: IExecuteFunctions, index: number): string {
	const id = locatorValue(context, 'recommendationId', index);
	if (id === '')
		throw inputError(
			context,
			index,
			'Recommendation ID is empty. Enter an ID such as va-_-google-_-chrome (Recommendation → Get Many lists them).',
		);
	return id;
}

export const notFound = (id: string) => `Security recommendation ${id} not found.`;

export const filtersField = filtersCollection([
	{
		displayName: 'Category',
		name: 'recommendationCategory',
		type: 'string',
		default: '',
		placeholder: 'e.g. Application',
	},
	{
		displayName: 'Product Name',
		name: 'productName',
		type: 'string',
		default: '',
		placeholder: 'e.g. chrome',
	},
	{
		displayName: 'Status',
		name: 'status',
		type: 'string',
		default: '',
		placeholder: 'e.g. Active',
	},
	{
		displayName: 'Vendor',
		name: 'vendor',
		type: 'string',
		default: '',
		placeholder: 'e.g. google',
	},
]);

export function recommendationFilter(filters: IDataObject): string | undefined {
	const clauses = ['productName', 'vendor', 'recommendationCategory', 'status']
		.filter((key) => typeof filters[key] === 'string' && (filters[key] as string).trim() !== '')
		.map((key) => `${key} eq ${odataString((filters[key] as string).trim())}`);
	return clauses.length > 0 ? clauses.join(' and ') : undefined;
}
