import { responseActionOperation } from './responseAction';

export const { option, properties, execute } = responseActionOperation({
	option: { name: 'Collect Investigation Package', description: 'Collect forensics from a device (Machine.CollectForensics)', action: 'Collect an investigation package' },
	path: 'collectInvestigationPackage',
	type: 'CollectInvestigationPackage',
	label: 'Collect investigation package',
	permission: 'Machine.CollectForensics',
});
