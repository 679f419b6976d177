import type { INodeProperties } from 'n8n-workflow';

import * as addTag from './addTag.operation';
import * as collectInvestigationPackage from './collectInvestigationPackage.operation';
import * as get from './get.operation';
import * as getAll from './getAll.operation';
import * as isolate from './isolate.operation';
import * as release from './release.operation';
import * as removeAppRestriction from './removeAppRestriction.operation';
import * as removeTag from './removeTag.operation';
import * as restrictAppExecution from './restrictAppExecution.operation';
import * as runAntivirusScan from './runAntivirusScan.operation';
import * as stopAndQuarantineFile from './stopAndQuarantineFile.operation';

export { addTag, collectInvestigationPackage, get, getAll, isolate, release, removeAppRestriction, removeTag, restrictAppExecution, runAntivirusScan, stopAndQuarantineFile };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['machine'] } },
		options: [
			{ name: 'Add Tag', value: 'addTag', description: 'Add a tag to a device', action: 'Add a tag to a device' },
			{ name: 'Collect Investigation Package', value: 'collectInvestigationPackage', description: 'Collect forensics from a device (Machine.CollectForensics)', action: 'Collect an investigation package' },
			{ name: 'Get', value: 'get', description: 'Get a device by ID or DNS name', action: 'Get a device' },
			{ name: 'Get Many', value: 'getAll', description: 'List devices, filtered', action: 'Get many devices' },
			{ name: 'Isolate', value: 'isolate', description: 'Isolate a device from the network (Machine.Isolate)', action: 'Isolate a device' },
			{ name: 'Release From Isolation', value: 'release', description: 'Undo an isolation (Machine.Isolate)', action: 'Release a device from isolation' },
			{ name: 'Remove App Restriction', value: 'removeAppRestriction', description: 'Allow all apps again (Machine.RestrictExecution)', action: 'Remove an app restriction' },
			{ name: 'Remove Tag', value: 'removeTag', description: 'Remove a tag from a device', action: 'Remove a tag from a device' },
			{ name: 'Restrict App Execution', value: 'restrictAppExecution', description: 'Allow only Microsoft-signed apps (Machine.RestrictExecution)', action: 'Restrict app execution' },
			{ name: 'Run Antivirus Scan', value: 'runAntivirusScan', description: 'Start a Defender Antivirus scan (Machine.Scan)', action: 'Run an antivirus scan' },
			{ name: 'Stop and Quarantine File', value: 'stopAndQuarantineFile', description: 'Stop a file by SHA-1 and quarantine it (Machine.StopAndQuarantine)', action: 'Stop and quarantine a file' },
		],
		default: 'getAll',
	},
	...getAll.description,
	...get.description,
	...addTag.description,
	...removeTag.description,
	...isolate.description,
	...release.description,
	...runAntivirusScan.description,
	...restrictAppExecution.description,
	...removeAppRestriction.description,
	...collectInvestigationPackage.description,
	...stopAndQuarantineFile.description,
];
