import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';

import { microsoftDefenderApiTest, searchIncidents } from './actions/methods';
import { router } from './actions/router';
import { versionDescription } from './actions/versionDescription';

export class MicrosoftDefender implements INodeType {
	description: INodeTypeDescription = versionDescription;

	methods = {
		credentialTest: { microsoftDefenderApiTest },
		listSearch: { searchIncidents },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
