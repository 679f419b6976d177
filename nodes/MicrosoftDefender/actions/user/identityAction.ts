import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { identityAccountLocator, optionsWithTenant } from '../../descriptions/common';
import {
	parseAccountInput,
	PROVIDER_NAMES,
	runIdentityAction,
	USER_ACTIONS,
	type ProviderChoice,
	type UserAction,
} from '../../helpers/identityResponse';
import { locatorValue, sessionFor } from '../../helpers/parameters';
import { quoted } from '../../helpers/validate';
import type { OperationModule, OperationOption } from '../node.type';
import { inputError } from '../lookup';

function providerField(action: UserAction): INodeProperties {
	const spec = USER_ACTIONS[action];
	const documented = [
		...spec.providers.map((provider) => PROVIDER_NAMES[provider]),
		...(spec.entra && !spec.providers.includes('entraID') ? ['Entra ID (through /users)'] : []),
	].join(', ');
	return {
		displayName: 'Identity Provider',
		name: 'identityProvider',
		type: 'options',
		options: [
			{
				name: 'Automatic',
				value: 'auto',
				description: `Every account of the identity that supports it (Microsoft documents: ${documented})`,
			},
			{ name: 'Active Directory', value: 'activeDirectory' },
			{
				name: 'Entra ID',
				value: 'entraID',
				description: spec.entra
					? 'Straight on the Entra ID user (UPN or object ID), in every cloud; needs no Defender for Identity'
					: 'The Entra ID account of the identity (Defender for Identity)',
			},
			{ name: 'Okta', value: 'okta' },
		],
		default: 'auto',
		description: "Which of the identity's accounts the action is taken on",
	};
}

/** Builds the option, fields and execute() of one identity response action. */
export function identityActionOperation(
	action: UserAction,
	option: OperationOption,
): OperationModule {
	const properties: INodeProperties[] = [
		identityAccountLocator,
		providerField(action),
		optionsWithTenant,
	];

	async function execute(this: IExecuteFunctions, index: number): Promise<INodeExecutionData[]> {
		// Identity accounts and Entra ID users are Microsoft Graph resources.
		const session = sessionFor(this, index, 'graph');
		const raw = locatorValue(this, 'account', index);
		const input = parseAccountInput(raw);
		if (!input)
			throw inputError(
				this,
				index,
				`Account ${quoted(raw)} is not an account. Enter a UPN (jdoe@contoso.com), DOMAIN\\name, an account name, a SID or an identity account ID, or pick it from the list.`,
			);
		const result: IDataObject = await runIdentityAction.call(this, index, session, {
			action,
			input,
			provider: this.getNodeParameter('identityProvider', index, 'auto') as ProviderChoice,
		});
		return this.helpers.constructExecutionMetaData(this.helpers.returnJsonArray(result), {
			itemData: { item: index },
		});
	}

	return { option, properties, execute };
}
