import type { ApiName } from './cloud';

/** What a user can do with this package, and the application permissions that allow it per API. */
export interface Capability {
	label: string;
	/** Any one of these roles grants the capability. */
	anyOf: string[];
}

/**
 * Cancel takes the permission of the response action it cancels: any one of these
 * (defender-endpoint/api/cancel-machine-action.md).
 */
export const CANCEL_ACTION_PERMISSIONS = [
	'Machine.CollectForensics',
	'Machine.Isolate',
	'Machine.RestrictExecution',
	'Machine.Scan',
	'Machine.Offboard',
	'Machine.StopAndQuarantine',
	'Machine.LiveResponse',
];

export const CAPABILITIES: Record<ApiName, Capability[]> = {
	defenderXdr: [
		{ label: 'read incidents', anyOf: ['Incident.Read.All', 'Incident.ReadWrite.All'] },
		{ label: 'update incidents', anyOf: ['Incident.ReadWrite.All'] },
		{ label: 'run advanced hunting', anyOf: ['AdvancedHunting.Read.All'] },
	],
	graph: [
		{
			label: 'read incidents',
			anyOf: ['SecurityIncident.Read.All', 'SecurityIncident.ReadWrite.All'],
		},
		{ label: 'update incidents', anyOf: ['SecurityIncident.ReadWrite.All'] },
		{ label: 'run advanced hunting', anyOf: ['ThreatHunting.Read.All'] },
		{ label: 'read alerts', anyOf: ['SecurityAlert.Read.All', 'SecurityAlert.ReadWrite.All'] },
		{ label: 'update alerts', anyOf: ['SecurityAlert.ReadWrite.All'] },
		{ label: 'find identity accounts', anyOf: ['SecurityIdentitiesAccount.Read.All'] },
		{
			label: 'take identity response actions',
			anyOf: ['SecurityIdentitiesActions.ReadWrite.All'],
		},
		{ label: 'read Entra ID users', anyOf: ['User.Read.All'] },
		{ label: 'disable and enable Entra ID users', anyOf: ['User.EnableDisableAccount.All'] },
		{ label: "revoke Entra ID users' sessions", anyOf: ['User.RevokeSessions.All'] },
	],
	endpoint: [
		{ label: 'read devices and actions', anyOf: ['Machine.Read.All', 'Machine.ReadWrite.All'] },
		{ label: 'tag devices', anyOf: ['Machine.ReadWrite.All'] },
		{ label: 'isolate devices', anyOf: ['Machine.Isolate'] },
		{ label: 'run antivirus scans', anyOf: ['Machine.Scan'] },
		{ label: 'restrict app execution', anyOf: ['Machine.RestrictExecution'] },
		{ label: 'collect investigation packages', anyOf: ['Machine.CollectForensics'] },
		{ label: 'stop and quarantine files', anyOf: ['Machine.StopAndQuarantine'] },
		{ label: 'cancel response actions', anyOf: CANCEL_ACTION_PERMISSIONS },
		{ label: 'read alerts', anyOf: ['Alert.Read.All', 'Alert.ReadWrite.All'] },
		{ label: 'update alerts and start automated investigations', anyOf: ['Alert.ReadWrite.All'] },
		{ label: 'manage indicators', anyOf: ['Ti.ReadWrite.All'] },
		{ label: 'run live response', anyOf: ['Machine.LiveResponse'] },
		{ label: 'manage the live response library', anyOf: ['Library.Manage'] },
		{ label: 'read logged-on users', anyOf: ['User.Read.All'] },
		{ label: 'read files', anyOf: ['File.Read.All'] },
		{ label: 'read IP statistics', anyOf: ['Ip.Read.All'] },
		{ label: 'read domain statistics', anyOf: ['URL.Read.All'] },
		{ label: 'read vulnerabilities', anyOf: ['Vulnerability.Read.All'] },
		{ label: 'read the software inventory', anyOf: ['Software.Read.All'] },
		{ label: 'read security recommendations', anyOf: ['SecurityRecommendation.Read.All'] },
		{ label: 'read the exposure score', anyOf: ['Score.Read.All'] },
	],
};

/** Where each API's permissions are found in the Entra admin center's "Add a permission" dialog. */
export const PERMISSION_SOURCES: Record<ApiName, string> = {
	defenderXdr: 'APIs my organization uses → "Microsoft Threat Protection"',
	graph: 'Microsoft APIs → "Microsoft Graph"',
	endpoint: 'APIs my organization uses → "WindowsDefenderATP"',
};

export function missingCapabilities(api: ApiName, roles: string[]): Capability[] {
	return CAPABILITIES[api].filter(
		(capability) => !capability.anyOf.some((role) => roles.includes(role)),
	);
}
