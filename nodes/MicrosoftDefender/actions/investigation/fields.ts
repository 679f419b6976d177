import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { odataDateTime, odataString } from '../../helpers/odata';
import { MACHINE_ID } from '../../helpers/devices';
import { filtersCollection, listLocator, optionsOf } from '../../descriptions/common';

export const PERMISSION = 'Alert.Read.All';

export const INVESTIGATION_STATES = [
	'Running',
	'PendingApproval',
	'PendingResource',
	'Queued',
	'SuccessfullyRemediated',
	'PartiallyRemediated',
	'PartiallyInvestigated',
	'Benign',
	'Failed',
	'TerminatedByUser',
	'TerminatedBySystem',
	'UnsupportedOs',
	'UnsupportedAlertType',
	'SuppressedAlert',
	'PreexistingAlert',
	'InnerFailure',
	'Terminated',
	'Unknown',
];

export const investigationIdField: INodeProperties = listLocator({
	displayName: 'Investigation',
	name: 'investigationId',
	searchListMethod: 'searchInvestigations',
	placeholder: 'e.g. 63017',
	description: 'The investigation ID, or the ID of the alert that triggered it',
});

export const filtersField = filtersCollection([
	{
		displayName: 'Device ID',
		name: 'machineId',
		type: 'string',
		default: '',
		placeholder: 'e.g. 1e5bc9d7e413ddd7902c2932e418702b84d0cc07',
		description: 'Defender device ID (40 hex characters)',
	},
	{ displayName: 'Started After', name: 'startedAfter', type: 'dateTime', default: '' },
	{
		displayName: 'State',
		name: 'state',
		type: 'options',
		options: optionsOf(INVESTIGATION_STATES),
		default: 'Running',
	},
	{ displayName: 'Triggering Alert ID', name: 'triggeringAlertId', type: 'string', default: '' },
]);

export function investigationFilter(filters: IDataObject): string | undefined {
	const text = (key: string) =>
		typeof filters[key] === 'string' ? (filters[key] as string).trim() : '';
	const clauses: string[] = [];
	if (text('state')) clauses.push(`state eq ${odataString(text('state'))}`);
	if (text('machineId')) {
		if (!MACHINE_ID.test(text('machineId')))
			throw new Error(
				`Device ID "${text('machineId')}" is not a Defender device ID (40 hex characters).`,
			);
		clauses.push(`machineId eq ${odataString(text('machineId').toLowerCase())}`);
	}
	if (text('triggeringAlertId'))
		clauses.push(`triggeringAlertId eq ${odataString(text('triggeringAlertId'))}`);
	if (text('startedAfter'))
		clauses.push(`startTime ge ${odataDateTime(text('startedAfter'), 'Started After')}`);
	return clauses.length > 0 ? clauses.join(' and ') : undefined;
}
