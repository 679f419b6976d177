import { quoted } from './validate';

/**
 * Ready-made advanced hunting queries about one entity. The tables are those of Defender XDR advanced
 * hunting, which the Defender XDR API and Microsoft Graph's runHuntingQuery both query. The entity
 * value only ever enters a query as a KQL string literal.
 */
export type TemplateEntity = 'device' | 'user' | 'file' | 'mailbox' | 'sender' | 'url' | 'any';

export interface HuntingTemplate {
	value: string;
	name: string;
	description: string;
	entity: TemplateEntity;
	/** The KQL, given the entity value already written as a KQL string literal. */
	query: (literal: string, lookBackHours: number, value: string) => string;
}

/** The services keep 30 days of advanced hunting data. */
export const MAX_LOOK_BACK_DAYS = 30;
export const MAX_LOOK_BACK_HOURS = MAX_LOOK_BACK_DAYS * 24;
export const TEMPLATE_ROW_LIMIT = 1000;

/** A KQL string literal: backslash and double quote escaped, line breaks and tabs as escapes. */
export function kqlString(value: string): string {
	if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(value)) {
		throw new Error(
			'The entity value contains control characters; pass the plain value (a name, address or hash).',
		);
	}
	const escaped = value
		.replace(/\\/g, '\\\\')
		.replace(/"/g, '\\"')
		.replace(/\n/g, '\\n')
		.replace(/\r/g, '\\r')
		.replace(/\t/g, '\\t');
	return `"${escaped}"`;
}

const HASH_COLUMNS: Record<number, string> = { 32: 'MD5', 40: 'SHA1', 64: 'SHA256' };

function hashColumn(value: string): string {
	const column = /^[0-9a-f]+$/i.test(value) ? HASH_COLUMNS[value.length] : undefined;
	if (!column)
		throw new Error(
			`${quoted(value)} is not a file hash. Use a SHA-256 (64 hex characters), SHA-1 (40) or MD5 (32).`,
		);
	return column;
}

const since = (hours: number) => `Timestamp > ago(${hours}h)`;

/**
 * A device by ID, full DNS name or host name: `ws-0101` matches `ws-0101.contoso.local`, as the portal's
 * device search does (a name is not a prefix of another host's name: the dot must follow).
 */
const deviceMatch = (device: string, value: string) =>
	`DeviceName =~ ${device} or DeviceName startswith ${kqlString(`${value}.`)} or DeviceId == ${device}`;
const tail = `| order by Timestamp desc\n| take ${TEMPLATE_ROW_LIMIT}`;
/** EmailEvents where one address column matches, with the columns a mail investigation reads. */
const emailEvents = (column: string, address: string, hours: number) =>
	`EmailEvents\n| where ${since(hours)}\n| where ${column} =~ ${address}\n` +
	`| project Timestamp, RecipientEmailAddress, SenderFromAddress, Subject, DeliveryAction, DeliveryLocation, ThreatTypes, NetworkMessageId\n${tail}`;

export const HUNTING_TEMPLATES: HuntingTemplate[] = [
	{
		value: 'deviceProcessEvents',
		name: 'Device: Process Events',
		description: 'Processes started on a device (DeviceProcessEvents), by device name or ID',
		entity: 'device',
		query: (device, hours, value) =>
			`DeviceProcessEvents\n| where ${since(hours)}\n| where ${deviceMatch(device, value)}\n` +
			`| project Timestamp, DeviceName, AccountDomain, AccountName, FileName, FolderPath, ProcessCommandLine, SHA256, InitiatingProcessFileName\n${tail}`,
	},
	{
		value: 'deviceNetworkEvents',
		name: 'Device: Network Connections',
		description: 'Network connections of a device (DeviceNetworkEvents)',
		entity: 'device',
		query: (device, hours, value) =>
			`DeviceNetworkEvents\n| where ${since(hours)}\n| where ${deviceMatch(device, value)}\n` +
			`| project Timestamp, DeviceName, ActionType, RemoteIP, RemotePort, RemoteUrl, LocalIP, InitiatingProcessFileName, InitiatingProcessAccountName\n${tail}`,
	},
	{
		value: 'deviceLogonEvents',
		name: 'Device: Logons',
		description: 'Sign-ins on a device (DeviceLogonEvents)',
		entity: 'device',
		query: (device, hours, value) =>
			`DeviceLogonEvents\n| where ${since(hours)}\n| where ${deviceMatch(device, value)}\n` +
			`| project Timestamp, DeviceName, ActionType, LogonType, AccountDomain, AccountName, RemoteIP, RemoteDeviceName\n${tail}`,
	},
	{
		value: 'userLogons',
		name: 'User: Logons',
		description:
			'Sign-ins of a user to Active Directory and Entra ID (IdentityLogonEvents), by UPN or account name',
		entity: 'user',
		query: (account, hours) =>
			`IdentityLogonEvents\n| where ${since(hours)}\n| where AccountUpn =~ ${account} or AccountName =~ ${account}\n` +
			`| project Timestamp, AccountUpn, AccountName, ActionType, LogonType, Application, Protocol, DeviceName, IPAddress, Location, FailureReason\n${tail}`,
	},
	{
		value: 'filePrevalence',
		name: 'File: Prevalence by Hash',
		description: 'Devices where a file was seen (DeviceFileEvents), by SHA-256, SHA-1 or MD5',
		entity: 'file',
		query: (hash, hours, value) =>
			`DeviceFileEvents\n| where ${since(hours)}\n| where ${hashColumn(value)} == ${hash.toLowerCase()}\n` +
			`| summarize Events = count(), FirstSeen = min(Timestamp), LastSeen = max(Timestamp) by DeviceName, FileName, FolderPath\n` +
			`| order by LastSeen desc\n| take ${TEMPLATE_ROW_LIMIT}`,
	},
	{
		value: 'emailReceived',
		name: 'Mailbox: Email Received',
		description: 'Email delivered to a recipient (EmailEvents)',
		entity: 'mailbox',
		query: (recipient, hours) => emailEvents('RecipientEmailAddress', recipient, hours),
	},
	{
		// SenderFromAddress is the From header's address (defender-xdr/advanced-hunting-emailevents-table.md):
		// the sender Get Entities gives on both APIs (Graph p2Sender, the XDR API's MailMessage sender).
		value: 'emailFromSender',
		name: 'Email: Sent by Sender',
		description:
			'Email from a sender address, to every recipient (EmailEvents): who else received it',
		entity: 'sender',
		query: (sender, hours) => emailEvents('SenderFromAddress', sender, hours),
	},
	{
		value: 'urlClicks',
		name: 'URL: Clicks',
		description:
			'Clicks on a URL, or on any URL of a domain, in email and Office apps (UrlClickEvents)',
		entity: 'url',
		query: (url, hours, value) =>
			`UrlClickEvents\n| where ${since(hours)}\n| where ${/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? 'Url =~' : 'Url has'} ${url}\n` +
			`| project Timestamp, AccountUpn, Url, ActionType, IsClickedThrough, Workload, NetworkMessageId\n${tail}`,
	},
	{
		value: 'alertsForEntity',
		name: 'Any Entity: Alerts Mentioning It',
		description: 'Alerts whose evidence names the device, user, file, IP or URL (AlertEvidence)',
		entity: 'any',
		query: (entity, hours, value) =>
			`AlertEvidence\n| where ${since(hours)}\n` +
			`| where DeviceName =~ ${entity} or DeviceName startswith ${kqlString(`${value}.`)} or AccountUpn =~ ${entity} or AccountName =~ ${entity} or FileName =~ ${entity} or SHA1 =~ ${entity} or SHA256 =~ ${entity} or RemoteIP == ${entity} or RemoteUrl =~ ${entity}\n` +
			`| summarize FirstSeen = min(Timestamp), LastSeen = max(Timestamp) by AlertId, Title, ServiceSource, DetectionSource\n` +
			`| order by LastSeen desc\n| take ${TEMPLATE_ROW_LIMIT}`,
	},
];

export const ENTITY_LABELS: Record<TemplateEntity, string> = {
	device: 'device name or ID',
	user: 'user principal name or account name',
	file: 'file hash',
	mailbox: 'recipient email address',
	sender: 'sender email address',
	url: 'URL or domain',
	any: 'entity value (device, user, file, IP or URL)',
};

/** The Entity field as each kind of template shows it. */
export const ENTITY_FIELDS: Record<
	TemplateEntity,
	{ displayName: string; placeholder: string; description: string }
> = {
	device: {
		displayName: 'Device Name or ID',
		placeholder: 'e.g. ws-0101, ws-0101.contoso.local or {{ $json.value }}',
		description:
			'The device: its DNS name, its host name (ws-0101 also matches ws-0101.contoso.local) or its Defender device ID',
	},
	user: {
		displayName: 'User',
		placeholder: 'e.g. jdoe@contoso.com or jdoe',
		description: "The user's UPN or account name",
	},
	file: {
		displayName: 'File Hash',
		placeholder: 'e.g. {{ $json.sha256 }}',
		description: 'SHA-256, SHA-1 or MD5 of the file',
	},
	mailbox: {
		displayName: 'Recipient Email Address',
		placeholder: 'e.g. jdoe@contoso.com',
		description: 'The mailbox that received the email',
	},
	sender: {
		displayName: 'Sender Email Address',
		placeholder: 'e.g. billing@contoso-invoices.example or {{ $json.emailMessages[0].sender }}',
		description:
			'The address in the From header of the email (sender of Get Entities email messages)',
	},
	url: {
		displayName: 'URL or Domain',
		placeholder: 'e.g. https://contoso-login.example/ or contoso-login.example',
		description: 'A full URL matches that URL; a domain matches every URL under it',
	},
	any: {
		displayName: 'Entity Value',
		placeholder: 'e.g. {{ $json.value }}',
		description:
			'A device name (host names match too), UPN or account name, file name or hash, IP address or URL',
	},
};

/** The query of a template for one entity value, refusing what cannot be that entity. */
export function buildTemplateQuery(
	templateValue: string,
	entityValue: string,
	lookBackHours: number,
): string {
	const template = HUNTING_TEMPLATES.find((candidate) => candidate.value === templateValue);
	if (!template)
		throw new Error(`Unknown template ${quoted(templateValue)}. Pick one from the list.`);
	const value = entityValue.trim();
	if (value === '')
		throw new Error(
			`The ${ENTITY_LABELS[template.entity]} is empty. Map it from the input, e.g. {{ $json.value }} after Get Entities.`,
		);
	if (
		!Number.isInteger(lookBackHours) ||
		lookBackHours < 1 ||
		lookBackHours > MAX_LOOK_BACK_HOURS
	) {
		throw new Error(
			`Look Back (Hours) of ${lookBackHours} is not possible: advanced hunting keeps ${MAX_LOOK_BACK_HOURS} hours (${MAX_LOOK_BACK_DAYS} days) of data. Enter 1 to ${MAX_LOOK_BACK_HOURS}.`,
		);
	}
	return template.query(kqlString(value), lookBackHours, value);
}
