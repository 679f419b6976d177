import type { IDataObject } from 'n8n-workflow';

/**
 * The entities of incidents and alerts (devices, users, files, …) in one shape for both APIs:
 * Microsoft Graph lists them as `alerts[].evidence[]` typed by `@odata.type`; the Defender XDR API
 * as `alerts[].devices[]` plus `alerts[].entities[]` typed by `entityType` (also the shape of
 * Defender for Endpoint's `alerts?$expand=evidence`).
 */
export const ENTITY_KINDS = [
	'device',
	'user',
	'file',
	'process',
	'ip',
	'url',
	'domain',
	'mailbox',
	'emailMessage',
	'cloudApp',
	'registry',
	'other',
] as const;
export type EntityKind = (typeof ENTITY_KINDS)[number];

/** The fields each kind carries, always present (null when the API did not say). */
export const ENTITY_FIELDS: Record<EntityKind, readonly string[]> = {
	device: ['deviceId', 'deviceName', 'aadDeviceId', 'osPlatform'],
	user: ['upn', 'accountName', 'accountDomain', 'sid', 'aadUserId'],
	file: ['fileName', 'filePath', 'sha1', 'sha256', 'md5', 'deviceId'],
	process: [
		'processId',
		'parentProcessId',
		'commandLine',
		'fileName',
		'filePath',
		'sha1',
		'sha256',
		'deviceId',
		'accountName',
		'accountDomain',
	],
	ip: ['ip'],
	url: ['url'],
	domain: ['domain'],
	mailbox: ['address', 'upn', 'displayName'],
	emailMessage: [
		'networkMessageId',
		'internetMessageId',
		'subject',
		'sender',
		'recipient',
		'deliveryAction',
	],
	cloudApp: ['appId', 'appName', 'instanceName'],
	registry: ['hive', 'key', 'valueName', 'valueData', 'valueType'],
	other: ['typeName', 'properties'],
};

/** Plural names for the grouped output (one item per incident or alert). */
export const ENTITY_GROUPS: Record<EntityKind, string> = {
	device: 'devices',
	user: 'users',
	file: 'files',
	process: 'processes',
	ip: 'ips',
	url: 'urls',
	domain: 'domains',
	mailbox: 'mailboxes',
	emailMessage: 'emailMessages',
	cloudApp: 'cloudApps',
	registry: 'registry',
	other: 'other',
};

export const VERDICTS = ['Malicious', 'Suspicious', 'NoThreatsFound', 'Unknown'] as const;

export interface Entity extends IDataObject {
	kind: EntityKind;
	/** What a person reads: DNS name, UPN, file name, URL, … */
	value: string;
	verdict: string | null;
	remediationStatus: string | null;
	alertIds: string[];
	incidentId: string | null;
}

interface Found {
	kind: EntityKind;
	fields: IDataObject;
	verdict: string | null;
	remediationStatus: string | null;
}

const text = (value: unknown): string | null =>
	typeof value === 'string' && value.trim() !== ''
		? value.trim()
		: typeof value === 'number'
			? String(value)
			: null;
const integer = (value: unknown): number | null => {
	const parsed =
		typeof value === 'number'
			? value
			: typeof value === 'string' && /^\d+$/.test(value)
				? Number(value)
				: NaN;
	return Number.isSafeInteger(parsed) ? parsed : null;
};
const lower = (value: unknown): string | null => text(value)?.toLowerCase() ?? null;
const object = (value: unknown): IDataObject =>
	value !== null && typeof value === 'object' && !Array.isArray(value)
		? (value as IDataObject)
		: {};
const list = (value: unknown): IDataObject[] =>
	Array.isArray(value)
		? value.filter((entry): entry is IDataObject => entry !== null && typeof entry === 'object')
		: [];

/** Graph writes `malicious`, Defender XDR `Malicious`: the node uses the Defender XDR spelling. */
function pascal(value: unknown): string | null {
	const word = text(value);
	return word === null ? null : word.charAt(0).toUpperCase() + word.slice(1);
}

function user(account: IDataObject): IDataObject {
	return {
		upn: lower(account.userPrincipalName),
		accountName: text(account.accountName),
		accountDomain: text(account.domainName),
		sid: text(account.userSid),
		aadUserId: text(account.azureAdUserId ?? account.aadUserId),
	};
}

function file(details: IDataObject): IDataObject {
	return {
		fileName: text(details.fileName),
		filePath: text(details.filePath),
		sha1: lower(details.sha1),
		sha256: lower(details.sha256),
		md5: lower(details.md5),
	};
}

/** Microsoft Graph `alertEvidence` → kind and fields. */
function fromGraphEvidence(evidence: IDataObject): Found {
	const typeName = String(evidence['@odata.type'] ?? '').replace(
		/^#?microsoft\.graph\.security\./,
		'',
	);
	const found = (kind: EntityKind, fields: IDataObject): Found => ({
		kind,
		fields,
		verdict: pascal(evidence.verdict),
		remediationStatus: pascal(evidence.remediationStatus),
	});
	switch (typeName) {
		case 'deviceEvidence':
			return found('device', {
				deviceId: lower(evidence.mdeDeviceId),
				deviceName: lower(evidence.deviceDnsName),
				aadDeviceId: lower(evidence.azureAdDeviceId),
				osPlatform: text(evidence.osPlatform),
			});
		case 'userEvidence':
			return found('user', user(object(evidence.userAccount)));
		case 'fileEvidence':
			return found('file', {
				...file(object(evidence.fileDetails)),
				deviceId: lower(evidence.mdeDeviceId),
			});
		case 'processEvidence': {
			const image = file(object(evidence.imageFile));
			const account = object(evidence.userAccount);
			return found('process', {
				processId: integer(evidence.processId),
				parentProcessId: integer(evidence.parentProcessId),
				commandLine: text(evidence.processCommandLine),
				fileName: image.fileName,
				filePath: image.filePath,
				sha1: image.sha1,
				sha256: image.sha256,
				deviceId: lower(evidence.mdeDeviceId),
				accountName: text(account.accountName),
				accountDomain: text(account.domainName),
			});
		}
		case 'ipEvidence':
			return found('ip', { ip: text(evidence.ipAddress) });
		case 'urlEvidence':
			return found('url', { url: text(evidence.url) });
		case 'dnsEvidence':
			return found('domain', { domain: lower(evidence.domainName) });
		case 'mailboxEvidence':
			return found('mailbox', {
				address: lower(evidence.primaryAddress),
				upn: lower(evidence.upn ?? object(evidence.userAccount).userPrincipalName),
				displayName: text(evidence.displayName),
			});
		case 'analyzedMessageEvidence': {
			const sender =
				object(evidence.p2Sender).emailAddress ?? object(evidence.p1Sender).emailAddress;
			return found('emailMessage', {
				networkMessageId: lower(evidence.networkMessageId),
				internetMessageId: text(evidence.internetMessageId),
				subject: text(evidence.subject),
				sender: lower(sender),
				recipient: lower(evidence.recipientEmailAddress),
				deliveryAction: text(evidence.deliveryAction),
			});
		}
		case 'cloudApplicationEvidence':
			return found('cloudApp', {
				appId: text(evidence.appId),
				appName: text(evidence.displayName),
				instanceName: text(evidence.instanceName),
			});
		case 'registryKeyEvidence':
		case 'registryValueEvidence':
			return found('registry', {
				hive: text(evidence.registryHive),
				key: text(evidence.registryKey),
				valueName: text(evidence.registryValueName),
				valueData: text(evidence.registryValue),
				valueType: text(evidence.registryValueType),
			});
		default:
			return found('other', {
				typeName: kindName(typeName),
				properties: otherProperties(evidence),
			});
	}
}

/** Defender XDR `alerts[].entities[]` (and MDE `evidence[]`): every field on every entity, null where not applicable. */
function fromXdrEntity(entity: IDataObject): Found {
	const typeName = String(entity.entityType ?? '');
	const found = (kind: EntityKind, fields: IDataObject): Found => ({
		kind,
		fields,
		verdict: pascal(entity.verdict),
		remediationStatus: pascal(entity.remediationStatus),
	});
	switch (typeName.toLowerCase()) {
		case 'user':
			return found('user', user(entity));
		case 'file':
			return found('file', { ...file(entity), deviceId: lower(entity.deviceId) });
		case 'process':
			return found('process', {
				processId: integer(entity.processId),
				parentProcessId: integer(entity.parentProcessId),
				commandLine: text(entity.processCommandLine),
				fileName: text(entity.fileName),
				filePath: text(entity.filePath),
				sha1: lower(entity.sha1),
				sha256: lower(entity.sha256),
				deviceId: lower(entity.deviceId),
				accountName: text(entity.accountName),
				accountDomain: text(entity.domainName),
			});
		case 'ip':
			return found('ip', { ip: text(entity.ipAddress) });
		case 'url':
			return found('url', { url: text(entity.url) });
		case 'mailbox':
			return found('mailbox', {
				address: lower(entity.mailboxAddress),
				upn: lower(entity.userPrincipalName),
				displayName: text(entity.mailboxDisplayName),
			});
		// defender-xdr/api-list-incidents.md, Entity format: a MailMessage carries sender, recipient, subject and
		// deliveryAction, and no message ID.
		case 'mailmessage':
			return found('emailMessage', {
				networkMessageId: lower(entity.networkMessageId),
				internetMessageId: text(entity.internetMessageId),
				subject: text(entity.subject),
				sender: lower(entity.sender),
				recipient: lower(entity.recipient),
				deliveryAction: text(entity.deliveryAction),
			});
		case 'cloudapplication':
			return found('cloudApp', {
				appId: text(entity.applicationId),
				appName: text(entity.applicationName),
				instanceName: null,
			});
		case 'registry':
			return found('registry', {
				hive: text(entity.registryHive),
				key: text(entity.registryKey),
				valueName: text(entity.registryValueName),
				valueData: text(entity.registryValue),
				valueType: text(entity.registryValueType),
			});
		case 'machine':
			return found('device', {
				deviceId: lower(entity.deviceId),
				deviceName: lower(entity.deviceDnsName),
				aadDeviceId: lower(entity.aadDeviceId),
				osPlatform: null,
			});
		default:
			return found('other', { typeName: kindName(typeName), properties: otherProperties(entity) });
	}
}

/** A Defender XDR `alerts[].devices[]` entry. */
function fromXdrDevice(device: IDataObject): Found {
	return {
		kind: 'device',
		fields: {
			deviceId: lower(device.mdatpDeviceId ?? device.deviceId),
			deviceName: lower(device.deviceDnsName),
			aadDeviceId: lower(device.aadDeviceId),
			osPlatform: text(device.osPlatform),
		},
		verdict: pascal(device.verdict),
		remediationStatus: pascal(device.remediationStatus),
	};
}

/** One name for a kind on both APIs: Graph's `securityGroupEvidence` and Defender XDR's `SecurityGroup` are `securityGroup`. */
function kindName(typeName: string): string {
	const name = typeName.replace(/Evidence$/, '');
	return name === '' ? 'unknown' : name.charAt(0).toLowerCase() + name.slice(1);
}

const COMMON_FIELDS = new Set([
	'@odata.type',
	'entityType',
	'createdDateTime',
	'evidenceCreationTime',
	'verdict',
	'remediationStatus',
	'remediationStatusDetails',
	'roles',
	'detailedRoles',
	'tags',
]);

/** An unknown kind keeps what it had, without the fields every evidence carries and without nulls. */
function otherProperties(entity: IDataObject): IDataObject {
	return Object.fromEntries(
		Object.entries(entity).filter(
			([key, value]) =>
				!COMMON_FIELDS.has(key) && value !== null && value !== undefined && value !== '',
		),
	);
}

/** Keys that identify the same entity across alerts; one shared key is enough to merge. */
function identities(kind: EntityKind, fields: IDataObject): string[] {
	const keys = (pairs: Array<[string, unknown]>) =>
		pairs
			.filter(([, value]) => value !== null && value !== undefined && value !== '')
			.map(([name, value]) => `${name}:${String(value).toLowerCase()}`);
	switch (kind) {
		case 'device':
			return keys([
				['id', fields.deviceId],
				['aad', fields.aadDeviceId],
				['name', fields.deviceName],
			]);
		case 'user': {
			const qualified = fields.accountName
				? `${String(fields.accountDomain ?? '')}\\${String(fields.accountName)}`
				: null;
			return keys([
				['sid', fields.sid],
				['aad', fields.aadUserId],
				['upn', fields.upn],
				['account', qualified],
			]);
		}
		case 'file':
			return keys([
				['sha256', fields.sha256],
				['sha1', fields.sha1],
				['md5', fields.md5],
				[
					'path',
					fields.sha1 || fields.sha256 || fields.md5
						? null
						: `${String(fields.filePath ?? '')}\\${String(fields.fileName ?? '')}`,
				],
			]);
		case 'process':
			return keys([
				[
					'process',
					`${String(fields.deviceId ?? '')}|${String(fields.processId ?? '')}|${String(fields.commandLine ?? '')}`,
				],
			]);
		case 'ip':
			return keys([['ip', fields.ip]]);
		case 'url':
			return keys([['url', fields.url]]);
		case 'domain':
			return keys([['domain', fields.domain]]);
		case 'mailbox':
			return keys([
				['address', fields.address],
				['upn', fields.address ? null : fields.upn],
			]);
		case 'emailMessage':
			return keys([
				['network', fields.networkMessageId],
				['internet', fields.internetMessageId],
				// Without message IDs (the Defender XDR API's MailMessage) a message is who sent what to whom.
				[
					'message',
					fields.networkMessageId || fields.internetMessageId || !fields.sender || !fields.recipient
						? null
						: `${String(fields.sender)}|${String(fields.recipient)}|${String(fields.subject ?? '')}`,
				],
			]);
		case 'cloudApp':
			return keys([['app', fields.appId ?? fields.appName]]);
		case 'registry':
			return keys([
				[
					'registry',
					`${String(fields.hive ?? '')}\\${String(fields.key ?? '')}|${String(fields.valueName ?? '')}`,
				],
			]);
		case 'other':
			return [`${String(fields.typeName)}:${stableJson(fields.properties)}`];
	}
}

function stableJson(value: unknown): string {
	if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
	if (value !== null && typeof value === 'object') {
		return `{${Object.keys(value)
			.sort()
			.map((key) => `${JSON.stringify(key)}:${stableJson((value as IDataObject)[key])}`)
			.join(',')}}`;
	}
	return JSON.stringify(value) ?? 'null';
}

export function displayValue(kind: EntityKind, fields: IDataObject): string {
	const first = (...values: unknown[]) =>
		String(values.find((value) => value !== null && value !== undefined && value !== '') ?? '');
	switch (kind) {
		case 'device':
			return first(fields.deviceName, fields.deviceId, fields.aadDeviceId);
		case 'user':
			return first(
				fields.upn,
				fields.accountName
					? fields.accountDomain
						? `${String(fields.accountDomain)}\\${String(fields.accountName)}`
						: fields.accountName
					: null,
				fields.sid,
				fields.aadUserId,
			);
		case 'file':
			return first(fields.fileName, fields.sha256, fields.sha1, fields.md5);
		case 'process':
			return first(fields.commandLine, fields.fileName, fields.processId);
		case 'ip':
			return first(fields.ip);
		case 'url':
			return first(fields.url);
		case 'domain':
			return first(fields.domain);
		case 'mailbox':
			return first(fields.address, fields.upn, fields.displayName);
		case 'emailMessage':
			return first(fields.subject, fields.internetMessageId, fields.networkMessageId);
		case 'cloudApp':
			return first(fields.appName, fields.appId);
		case 'registry':
			return [fields.hive, fields.key, fields.valueName]
				.filter((part) => part !== null && part !== undefined && part !== '')
				.join('\\');
		case 'other': {
			const properties = object(fields.properties);
			const named = Object.entries(properties).find(
				([key, value]) => /name$/i.test(key) && typeof value === 'string',
			);
			return first(
				properties.displayName,
				properties.name,
				named?.[1],
				properties.id,
				fields.typeName,
			);
		}
	}
}

/** The host of a URL (the `domain` entity a URL implies), or null for what is not a URL. */
export function domainOfUrl(url: string): string | null {
	const candidate = /^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? url : `http://${url}`;
	if (!URL.canParse(candidate)) return null;
	const host = new URL(candidate).hostname.toLowerCase();
	return /^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(host) && !/^[\d.]+$/.test(host) ? host : null;
}

const VERDICT_RANK = new Map<string, number>(VERDICTS.map((verdict, rank) => [verdict, rank]));

/** The more alarming of two verdicts (Malicious over Suspicious over the rest). */
function worseVerdict(a: string | null, b: string | null): string | null {
	if (a === null) return b;
	if (b === null) return a;
	return (VERDICT_RANK.get(b) ?? VERDICTS.length) < (VERDICT_RANK.get(a) ?? VERDICTS.length)
		? b
		: a;
}

/** What one alert of either API mentions, in order: devices first, then its entities or evidence. */
function alertFindings(alert: IDataObject): Found[] {
	const found: Found[] = [];
	for (const device of list(alert.devices)) found.push(fromXdrDevice(device));
	// Defender for Endpoint names an alert's device on the alert itself.
	if (text(alert.machineId) || text(alert.computerDnsName)) {
		found.push({
			kind: 'device',
			fields: {
				deviceId: lower(alert.machineId),
				deviceName: lower(alert.computerDnsName),
				aadDeviceId: null,
				osPlatform: null,
			},
			verdict: null,
			remediationStatus: null,
		});
	}
	for (const entity of list(alert.entities)) found.push(fromXdrEntity(entity));
	for (const evidence of list(alert.evidence))
		found.push(
			evidence['@odata.type'] !== undefined ? fromGraphEvidence(evidence) : fromXdrEntity(evidence),
		);
	// Defender for Endpoint evidence leaves out the device: it is the alert's.
	const alertDevice = lower(alert.machineId);
	for (const item of found)
		if ((item.kind === 'process' || item.kind === 'file') && item.fields.deviceId === null)
			item.fields.deviceId = alertDevice;
	const domains: Found[] = [];
	for (const item of found) {
		const domain =
			item.kind === 'url' && typeof item.fields.url === 'string'
				? domainOfUrl(item.fields.url)
				: null;
		if (domain)
			domains.push({ kind: 'domain', fields: { domain }, verdict: null, remediationStatus: null });
	}
	return [...found, ...domains];
}

const alertIdOf = (alert: IDataObject): string | null => text(alert.alertId ?? alert.id);

/**
 * The entities of some alerts (of one incident, or one alert), de-duplicated: an entity seen in three
 * alerts is one entry listing the three alert IDs, with the fields any of them knew.
 */
export function entitiesOfAlerts(alerts: IDataObject[], incidentId: string | null): Entity[] {
	const entities: Entity[] = [];
	const index = new Map<string, Entity>();
	for (const alert of alerts) {
		const alertId = alertIdOf(alert);
		const alertIncident = incidentId ?? text(alert.incidentId);
		for (const item of alertFindings(alert)) {
			const keys = identities(item.kind, item.fields).map((key) => `${item.kind}|${key}`);
			if (keys.length === 0) continue;
			let entity = keys.map((key) => index.get(key)).find((known) => known !== undefined);
			if (!entity) {
				entity = {
					kind: item.kind,
					value: '',
					...Object.fromEntries(ENTITY_FIELDS[item.kind].map((field) => [field, null])),
					verdict: null,
					remediationStatus: null,
					alertIds: [],
					incidentId: alertIncident,
				};
				entities.push(entity);
			}
			for (const [field, value] of Object.entries(item.fields)) {
				if ((entity[field] === null || entity[field] === undefined) && value !== null)
					entity[field] = value;
			}
			entity.verdict = worseVerdict(entity.verdict, item.verdict);
			entity.remediationStatus ??= item.remediationStatus;
			if (alertId !== null && !entity.alertIds.includes(alertId)) entity.alertIds.push(alertId);
			for (const key of identities(item.kind, entity)) index.set(`${item.kind}|${key}`, entity);
		}
	}
	for (const entity of entities) entity.value = displayValue(entity.kind, entity);
	return entities;
}

/** An incident of either API in its full shape (with `alerts`). */
export function entitiesOfIncident(incident: IDataObject): Entity[] {
	return entitiesOfAlerts(list(incident.alerts), text(incident.incidentId ?? incident.id));
}

/**
 * The entities of the kinds asked for (none: all). Files include the image file of every process whose
 * file is not an entity of its own: an incident often names a file only on its process.
 */
export function filterEntities(entities: Entity[], kinds: readonly string[]): Entity[] {
	if (kinds.length === 0) return entities;
	const kept = entities.filter((entity) => kinds.includes(entity.kind));
	if (!kinds.includes('file')) return kept;
	const known = new Set(
		entities.filter((entity) => entity.kind === 'file').flatMap((file) => identities('file', file)),
	);
	for (const process of entities) {
		if (process.kind !== 'process' || (!process.fileName && !process.sha1 && !process.sha256))
			continue;
		const image: Entity = {
			kind: 'file',
			value: '',
			...Object.fromEntries(ENTITY_FIELDS.file.map((field) => [field, process[field] ?? null])),
			verdict: process.verdict,
			remediationStatus: process.remediationStatus,
			alertIds: [...process.alertIds],
			incidentId: process.incidentId,
		};
		const keys = identities('file', image);
		if (keys.length === 0 || keys.some((key) => known.has(key))) continue;
		image.value = displayValue('file', image);
		for (const key of keys) known.add(key);
		kept.push(image);
	}
	return kept;
}

/** One object: counts and the entities grouped by kind under plural names (`devices`, `users`, …). */
export function groupEntities(entities: Entity[], incidentId: string | null): IDataObject {
	const grouped: IDataObject = { incidentId, entityCount: entities.length };
	for (const kind of ENTITY_KINDS)
		grouped[ENTITY_GROUPS[kind]] = entities.filter((entity) => entity.kind === kind);
	return grouped;
}
