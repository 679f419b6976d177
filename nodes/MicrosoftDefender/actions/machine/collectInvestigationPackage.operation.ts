import { responseActionOperation } from './responseAction';

export const { description, execute } = responseActionOperation({
	operation: 'collectInvestigationPackage',
	path: 'collectInvestigationPackage',
	type: 'CollectInvestigationPackage',
	label: 'Collect investigation package',
	permission: 'Machine.CollectForensics',
});
