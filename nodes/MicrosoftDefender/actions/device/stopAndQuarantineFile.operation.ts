import { NodeOperationError } from 'n8n-workflow';

import { quoted } from '../../helpers/validate';
import { responseActionOperation } from './responseAction';

export const { option, properties, execute } = responseActionOperation({
	option: {
		name: 'Stop and Quarantine File',
		description:
			'Stop a file by SHA-1 and quarantine it (Machine.StopAndQuarantine). Changes state: a response action.',
		action: 'Stop and quarantine a file',
		toolDescription:
			'Stop and quarantine a file on a device by its SHA-1 (changes state: a response action)',
	},
	path: 'StopAndQuarantineFile',
	type: 'StopAndQuarantineFile',
	label: 'Stop and quarantine file',
	permission: 'Machine.StopAndQuarantine',
	fields: [
		{
			displayName: 'SHA-1',
			name: 'sha1',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'e.g. 87662bc3d60e4200ceaf7aae249d1c343f4b83c9',
			description: 'SHA-1 of the file to stop and quarantine (40 hex characters)',
		},
	],
	body: (context, index) => {
		const sha1 = String(context.getNodeParameter('sha1', index, '')).trim();
		if (!/^[0-9a-f]{40}$/i.test(sha1)) {
			throw new NodeOperationError(
				context.getNode(),
				`SHA-1 ${quoted(sha1)} is not a SHA-1 hash. Enter 40 hex characters (Defender takes SHA-1 only for this action).`,
				{ itemIndex: index },
			);
		}
		return { Sha1: sha1.toLowerCase() };
	},
});
