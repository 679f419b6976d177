import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { inputError } from '../lookup';

export const accountField: INodeProperties = {
	displayName: 'Account',
	name: 'account',
	type: 'string',
	default: '',
	required: true,
	placeholder: 'e.g. jdoe, CONTOSO\\jdoe or jdoe@contoso.com',
	description:
		'The account name (sAMAccountName). A DOMAIN\\name or a UPN is reduced to the name before the @ or after the backslash.',
};

/** The bare account name Defender for Endpoint indexes devices by. */
export function accountNameFrom(context: IExecuteFunctions, index: number): string {
	const raw = String(context.getNodeParameter('account', index, '')).trim();
	const name = raw.split('\\').pop()!.split('@')[0].trim();
	if (name === '' || /[/\s]/.test(name))
		throw inputError(
			context,
			index,
			`"${raw}" is not an account name. Enter the account name, e.g. jdoe (or CONTOSO\\jdoe, jdoe@contoso.com).`,
		);
	return name;
}
