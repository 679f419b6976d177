import type { ApiName } from './cloud';

/** What a user can do with this package, and the application permissions that allow it per API. */
export interface Capability {
	label: string;
	/** Any one of these roles grants the capability. */
	anyOf: string[];
}

export const CAPABILITIES: Record<ApiName, Capability[]> = {
	defenderXdr: [
		{ label: 'read incidents', anyOf: ['Incident.Read.All', 'Incident.ReadWrite.All'] },
		{ label: 'update incidents', anyOf: ['Incident.ReadWrite.All'] },
		{ label: 'run advanced hunting', anyOf: ['AdvancedHunting.Read.All'] },
	],
	graph: [
		{ label: 'read incidents', anyOf: ['SecurityIncident.Read.All', 'SecurityIncident.ReadWrite.All'] },
		{ label: 'update incidents', anyOf: ['SecurityIncident.ReadWrite.All'] },
		{ label: 'run advanced hunting', anyOf: ['ThreatHunting.Read.All'] },
	],
	endpoint: [],
};

/** Where each API's permissions are found in the Entra admin center's "Add a permission" dialog. */
export const PERMISSION_SOURCES: Record<ApiName, string> = {
	defenderXdr: 'APIs my organization uses → "Microsoft Threat Protection"',
	graph: 'Microsoft APIs → "Microsoft Graph"',
	endpoint: 'APIs my organization uses → "WindowsDefenderATP"',
};

export function missingCapabilities(api: ApiName, roles: string[]): Capability[] {
	return CAPABILITIES[api].filter((capability) => !capability.anyOf.some((role) => roles.includes(role)));
}
