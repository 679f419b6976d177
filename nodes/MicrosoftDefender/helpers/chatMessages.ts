import type { IDataObject } from 'n8n-workflow';

import { ALERT_STATUSES } from './alerts';
import { entitiesOfAlerts, entitiesOfIncident, type Entity, type EntityKind } from './entities';
import { INCIDENT_STATUSES_READ, SEVERITIES, toNodeValue } from './incidents';
import type { CloudName } from '../transport/cloud';

/**
 * Chat messages ready to post, built from an incident or alert: Slack Block Kit, a Microsoft Teams
 * Adaptive Card message (Workflows webhook) or Markdown. Every value from Defender is treated as
 * untrusted text: it can neither mention anyone nor change the formatting.
 */
export const CHAT_FORMATS = ['slack', 'teams', 'markdown'] as const;
export type ChatFormat = (typeof CHAT_FORMATS)[number];

/** Slack: at most 50 blocks, 3,000 characters per section text, 150 per header, 75 per button. */
export const SLACK_LIMITS = {
	blocks: 50,
	text: 3000,
	header: 150,
	field: 2000,
	button: 75,
} as const;
/** Teams refuses messages above about 28 KB (card and envelope together). */
export const TEAMS_MAX_BYTES = 28_000;
/** How many devices, users and files a message lists before "… and N more". */
const TOP_ENTITIES = 5;
const MAX_VALUE = 200;
const MAX_TITLE = 500;

export interface ChatSubject {
	kind: 'incident' | 'alert';
	id: string;
	title: string | null;
	severity: string | null;
	status: string | null;
	assignedTo: string | null;
	portalUrl: string | null;
	alertCount: number | null;
	/** null when the record did not carry them (e.g. Simplify on, or Include Alerts off). */
	entities: Entity[] | null;
}

export interface ChatLinks {
	approveUrl?: string;
	rejectUrl?: string;
}

const PORTAL_HOSTS: Record<CloudName, string> = {
	global: 'https://security.microsoft.com',
	usGcc: 'https://security.microsoft.com',
	usGccHigh: 'https://security.microsoft.us',
	usDod: 'https://security.apps.mil',
	custom: 'https://security.microsoft.com',
};

/** The Defender portal page of an incident or alert in the credential's cloud (when the API gave no URL). */
export function defenderPortalUrl(
	cloud: CloudName,
	kind: 'incident' | 'alert',
	id: string,
	tenantId?: string,
): string {
	const path = `${PORTAL_HOSTS[cloud] ?? PORTAL_HOSTS.global}/${kind === 'incident' ? 'incidents' : 'alerts'}/${encodeURIComponent(id)}`;
	return tenantId ? `${path}?tid=${encodeURIComponent(tenantId)}` : path;
}

const text = (value: unknown): string | null =>
	typeof value === 'string' && value.trim() !== ''
		? value.trim()
		: typeof value === 'number'
			? String(value)
			: null;

/**
 * What a message says about a record of either API, full or simplified. The portal URL the API
 * returned wins over `fallbackPortalUrl`.
 */
export function chatSubject(
	kind: 'incident' | 'alert',
	record: IDataObject,
	fallbackPortalUrl?: (id: string) => string,
): ChatSubject {
	const id =
		(kind === 'incident'
			? (text(record.incidentId) ?? text(record.id))
			: (text(record.id) ?? text(record.alertId))) ?? '';
	const alerts = Array.isArray(record.alerts) ? (record.alerts as IDataObject[]) : undefined;
	const hasEvidence = ['evidence', 'entities', 'devices'].some((key) => Array.isArray(record[key]));
	const entities =
		kind === 'incident'
			? alerts
				? entitiesOfIncident(record)
				: null
			: hasEvidence
				? entitiesOfAlerts([record], text(record.incidentId))
				: null;
	const apiUrl =
		kind === 'incident'
			? (record.portalUrl ?? record.incidentWebUrl ?? record.incidentUri)
			: (record.portalUrl ?? record.alertWebUrl);
	return {
		kind,
		id,
		title: text(record.title ?? record.displayName ?? record.incidentName),
		severity: toNodeValue(record.severity, SEVERITIES),
		status: toNodeValue(
			record.status,
			kind === 'incident' ? INCIDENT_STATUSES_READ : ALERT_STATUSES,
		),
		assignedTo: text(record.assignedTo),
		portalUrl: text(apiUrl) ?? (id && fallbackPortalUrl ? fallbackPortalUrl(id) : null),
		alertCount: alerts
			? alerts.length
			: typeof record.alertCount === 'number'
				? record.alertCount
				: null,
		entities,
	};
}

const SEVERITY_EMOJI: Record<string, string> = {
	High: '🔴',
	Medium: '🟠',
	Low: '🟡',
	Informational: '🔵',
};
const TEAMS_STYLE: Record<string, { container: string; color: string }> = {
	High: { container: 'attention', color: 'Attention' },
	Medium: { container: 'warning', color: 'Warning' },
	Low: { container: 'accent', color: 'Accent' },
	Informational: { container: 'emphasis', color: 'Default' },
};

const emoji = (severity: string | null) => SEVERITY_EMOJI[severity ?? ''] ?? '⚪';
const words = (value: string) => value.replace(/([a-z0-9])([A-Z])/g, '$1 $2');

/** Cuts text to `max` characters (code points, so no emoji is split) with a visible "…". */
export function clip(value: string, max: number): string {
	const chars = Array.from(value);
	return chars.length <= max ? value : `${chars.slice(0, Math.max(0, max - 1)).join('')}…`;
}

/** Values go on one line: a newline inside a value must not start a new Markdown block or list item. */
const oneLine = (value: string) => value.replace(/[\r\n\t]+/g, ' ');

interface Section {
	label: string;
	total: number;
	values: string[];
	more: number;
}

const LISTED: Array<[EntityKind, string]> = [
	['device', 'Devices'],
	['user', 'Users'],
	['file', 'Files'],
];

/** The top devices, users and files, each list cut to `top` with the count of the rest. */
function sections(subject: ChatSubject, top: number): Section[] {
	if (!subject.entities) return [];
	return LISTED.flatMap(([kind, label]) => {
		const values = subject
			.entities!.filter((entity) => entity.kind === kind)
			.map((entity) => clip(oneLine(entity.value), MAX_VALUE));
		return values.length === 0
			? []
			: [
					{
						label,
						total: values.length,
						values: values.slice(0, top),
						more: Math.max(0, values.length - top),
					},
				];
	});
}

const andMore = (count: number) => `… and ${count} more`;

function facts(subject: ChatSubject): Array<[string, string]> {
	const result: Array<[string, string]> = [
		['Severity', `${emoji(subject.severity)} ${words(subject.severity ?? 'Unknown')}`],
		['Status', words(subject.status ?? 'Unknown')],
		[
			'Assigned to',
			subject.assignedTo ? clip(oneLine(subject.assignedTo), MAX_VALUE) : 'Unassigned',
		],
	];
	if (subject.alertCount !== null) result.push(['Alerts', String(subject.alertCount)]);
	if (subject.entities) result.push(['Entities', String(subject.entities.length)]);
	return result;
}

const heading = (subject: ChatSubject) =>
	`${subject.kind === 'incident' ? 'Incident' : 'Alert'} ${subject.id}`;
const titleOf = (subject: ChatSubject) => clip(oneLine(subject.title ?? '(no title)'), MAX_TITLE);

// ---------------------------------------------------------------- Slack

/** Slack mrkdwn control characters; `<!channel>` becomes harmless text. */
export function escapeSlack(value: string): string {
	return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Slack `{text, blocks}` for an incoming webhook or n8n's Slack node. Values sit in `plain_text`
 * objects, which Slack neither formats nor scans for mentions; `text` (the notification) is escaped
 * and sent with formatting off.
 */
export function slackMessage(subject: ChatSubject, links: ChatLinks = {}): IDataObject {
	const plain = (value: string, max: number) => ({
		type: 'plain_text',
		text: clip(value, max),
		emoji: true,
	});
	const blocks: IDataObject[] = [
		{
			type: 'header',
			text: plain(
				`${emoji(subject.severity)} ${heading(subject)}: ${titleOf(subject)}`,
				SLACK_LIMITS.header,
			),
		},
		{
			type: 'section',
			fields: facts(subject).map(([label, value]) =>
				plain(`${label}: ${value}`, SLACK_LIMITS.field),
			),
		},
	];
	for (const section of sections(subject, TOP_ENTITIES)) {
		const lines = [
			`${section.label} (${section.total})`,
			...section.values.map((value) => `• ${value}`),
			...(section.more ? [andMore(section.more)] : []),
		];
		blocks.push({ type: 'section', text: plain(lines.join('\n'), SLACK_LIMITS.text) });
	}
	const buttons: IDataObject[] = [];
	const button = (label: string, url: string | undefined, style?: string) => {
		if (url)
			buttons.push({
				type: 'button',
				text: plain(label, SLACK_LIMITS.button),
				url,
				...(style ? { style } : {}),
			});
	};
	button('Open in Defender', subject.portalUrl ?? undefined);
	button('Approve', links.approveUrl, 'primary');
	button('Reject', links.rejectUrl, 'danger');
	if (buttons.length > 0) blocks.push({ type: 'actions', elements: buttons });
	const notification = `${emoji(subject.severity)} Defender ${heading(subject).toLowerCase()} (${subject.severity ?? 'Unknown'}): ${titleOf(subject)}`;
	return {
		text: clip(escapeSlack(notification), SLACK_LIMITS.text),
		mrkdwn: false,
		blocks: blocks.slice(0, SLACK_LIMITS.blocks),
	};
}

// ---------------------------------------------------------------- Microsoft Teams

/** Adaptive Cards read `{{DATE(…)}}` and `{{TIME(…)}}` inside text; a zero-width space disarms that. */
const teamsText = (value: string) => value.replace(/\{\{/g, '{\u200B{');

function teamsCardOf(
	subject: ChatSubject,
	links: ChatLinks,
	top: number,
	maxTitle: number,
): IDataObject {
	const style = TEAMS_STYLE[subject.severity ?? ''] ?? { container: 'default', color: 'Default' };
	// TextRun does not support Markdown, so values cannot format anything.
	const run = (value: string, extra: IDataObject = {}) => ({
		type: 'TextRun',
		text: teamsText(value),
		...extra,
	});
	const body: IDataObject[] = [
		{
			type: 'Container',
			style: style.container,
			bleed: true,
			items: [
				{
					type: 'RichTextBlock',
					inlines: [
						run(`${emoji(subject.severity)} ${heading(subject)}`, {
							weight: 'Bolder',
							color: style.color,
						}),
					],
				},
				{
					type: 'RichTextBlock',
					inlines: [run(clip(titleOf(subject), maxTitle), { size: 'Large', weight: 'Bolder' })],
				},
			],
		},
		...facts(subject).map(([label, value]) => ({
			type: 'RichTextBlock',
			spacing: 'Small',
			inlines: [run(`${label}: `, { weight: 'Bolder' }), run(value)],
		})),
	];
	for (const section of sections(subject, top)) {
		body.push({
			type: 'RichTextBlock',
			spacing: 'Medium',
			inlines: [run(`${section.label} (${section.total})`, { weight: 'Bolder' })],
		});
		for (const value of section.values)
			body.push({ type: 'RichTextBlock', spacing: 'None', inlines: [run(`• ${value}`)] });
		if (section.more)
			body.push({
				type: 'RichTextBlock',
				spacing: 'None',
				inlines: [run(andMore(section.more), { isSubtle: true })],
			});
	}
	const actions: IDataObject[] = [];
	if (subject.portalUrl)
		actions.push({ type: 'Action.OpenUrl', title: 'Open in Defender', url: subject.portalUrl });
	if (links.approveUrl)
		actions.push({
			type: 'Action.OpenUrl',
			title: 'Approve',
			url: links.approveUrl,
			style: 'positive',
		});
	if (links.rejectUrl)
		actions.push({
			type: 'Action.OpenUrl',
			title: 'Reject',
			url: links.rejectUrl,
			style: 'destructive',
		});
	return {
		$schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
		type: 'AdaptiveCard',
		version: '1.4',
		msteams: { width: 'Full' },
		body,
		...(actions.length > 0 ? { actions } : {}),
	};
}

const teamsEnvelope = (card: IDataObject): IDataObject => ({
	type: 'message',
	attachments: [
		{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: card },
	],
});

/**
 * A Teams Workflows webhook message (`{type: "message", attachments: [card]}`); the card alone is
 * `attachments[0].content`. Lists shrink until the message fits `maxBytes`.
 */
export function teamsMessage(
	subject: ChatSubject,
	links: ChatLinks = {},
	maxBytes = TEAMS_MAX_BYTES,
): IDataObject {
	let message: IDataObject = {};
	for (const [top, maxTitle] of [
		[TOP_ENTITIES, MAX_TITLE],
		[3, 200],
		[1, 100],
		[0, 60],
	]) {
		message = teamsEnvelope(teamsCardOf(subject, links, top, maxTitle));
		if (Buffer.byteLength(JSON.stringify(message)) <= maxBytes) break;
	}
	return message;
}

// ---------------------------------------------------------------- Markdown

/**
 * Markdown with every formatting character of a value backslash-escaped, and `@everyone`-style
 * mentions (an `@` starting a word, not inside an email address) broken by a zero-width space:
 * Discord and Mattermost ignore backslashes there.
 */
export function escapeMarkdown(value: string): string {
	return oneLine(value)
		.replace(/[\\`*_{}[\]()<>#|~!]/g, '\\$&')
		.replace(/(^|[^\w.+-])@/g, '$1@\u200B');
}

/** Link targets: characters that could end the link or start another are percent-encoded. */
const markdownUrl = (url: string) =>
	url.replace(
		/[()\s<>\\]/g,
		(char) => `%${char.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
	);

/** Text for Discord, Mattermost, Google Chat, Telegram and anything else that reads Markdown. */
export function markdownMessage(subject: ChatSubject, links: ChatLinks = {}): string {
	const lines = [
		`${emoji(subject.severity)} ${heading(subject)}: ${escapeMarkdown(titleOf(subject))}`,
	];
	lines.push(
		facts(subject)
			.map(([label, value]) => `${label}: ${escapeMarkdown(value)}`)
			.join(' · '),
	);
	for (const section of sections(subject, TOP_ENTITIES)) {
		lines.push(
			'',
			`${section.label} (${section.total}):`,
			...section.values.map((value) => `• ${escapeMarkdown(value)}`),
		);
		if (section.more) lines.push(andMore(section.more));
	}
	const actions = [
		subject.portalUrl ? `[Open in Defender](${markdownUrl(subject.portalUrl)})` : '',
		links.approveUrl ? `[Approve](${markdownUrl(links.approveUrl)})` : '',
		links.rejectUrl ? `[Reject](${markdownUrl(links.rejectUrl)})` : '',
	].filter(Boolean);
	if (actions.length > 0) lines.push('', actions.join(' · '));
	return lines.join('\n');
}

export function chatMessage(
	format: ChatFormat,
	subject: ChatSubject,
	links: ChatLinks = {},
): IDataObject | string {
	if (format === 'slack') return slackMessage(subject, links);
	if (format === 'teams') return teamsMessage(subject, links);
	return markdownMessage(subject, links);
}
