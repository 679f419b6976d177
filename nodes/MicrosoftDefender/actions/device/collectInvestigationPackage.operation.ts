import { responseActionOperation } from './responseAction';
import { downloadInvestigationPackage } from '../../helpers/devices';

export const { option, properties, execute } = responseActionOperation({
	option: {
		name: 'Collect Investigation Package',
		description:
			'Collect forensics from a device, optionally download the ZIP (Machine.CollectForensics). Changes state: a response action.',
		action: 'Collect an investigation package',
		toolDescription:
			'Collect an investigation package from a device (changes state: a response action)',
	},
	path: 'collectInvestigationPackage',
	type: 'CollectInvestigationPackage',
	label: 'Collect investigation package',
	permission: 'Machine.CollectForensics',
	afterWaitFields: [
		{
			displayName: 'Download Package',
			name: 'downloadPackage',
			type: 'boolean',
			default: false,
			description:
				'Whether to download the collected package (a ZIP: autoruns, installed programs, network connections, processes, services, event logs, …) as binary data. Microsoft allows 2 package links per minute and 120 per hour.',
		},
		{
			displayName: 'Put Output File in Field',
			name: 'binaryPropertyName',
			type: 'string',
			default: 'data',
			required: true,
			hint: 'The name of the output binary field to put the package in',
			displayOptions: { show: { downloadPackage: [true] } },
		},
	],
	async finish(index, session, action, shape) {
		if (!this.getNodeParameter('downloadPackage', index, false)) return { json: shape(action) };
		const data = await downloadInvestigationPackage.call(this, session, action);
		const binaryPropertyName =
			String(this.getNodeParameter('binaryPropertyName', index, 'data')).trim() || 'data';
		const host = String(action.computerDnsName ?? action.machineId).split('.')[0];
		const binary = await this.helpers.prepareBinaryData(
			data,
			`investigation-package-${host}-${String(action.id)}.zip`,
			'application/zip',
		);
		return { json: shape(action), binary: { [binaryPropertyName]: binary } };
	},
});
