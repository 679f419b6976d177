import type { IDataObject } from 'n8n-workflow';

import { quoted } from './validate';
import {
	CHAT_FORMATS,
	chatMessage,
	chatSubject,
	defenderPortalUrl,
	type ChatFormat,
	type ChatLinks,
} from './chatMessages';
import type { CloudName } from '../transport/cloud';
import { resolveIdentity, type ApiSession, type DefenderContext } from '../transport/request';

/** The chat message options of one item (or of a trigger poll), ready to apply to records. */
export interface ChatSettings {
	format: ChatFormat;
	links: ChatLinks;
	/** The Defender portal page of a record in the credential's cloud and tenant, when the API gave none. */
	portal: (kind: 'incident' | 'alert', id: string) => string;
}

function linkOption(options: IDataObject, key: string, label: string): string | undefined {
	const value = typeof options[key] === 'string' ? (options[key] as string).trim() : '';
	if (value === '') return undefined;
	if (!URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol)) {
		throw new Error(
			`${label} ${quoted(value)} is not an http(s) URL. Use e.g. {{ $execution.resumeUrl }} of a Wait node set to resume on a webhook call.`,
		);
	}
	return value;
}

/** The settings when the Chat Message Format option is set, else undefined (no chatMessage field). */
export async function chatSettings(
	context: DefenderContext,
	session: ApiSession,
	options: IDataObject,
): Promise<ChatSettings | undefined> {
	const format = options.chatMessageFormat;
	if (typeof format !== 'string' || format === '') return undefined;
	if (!(CHAT_FORMATS as readonly string[]).includes(format))
		throw new Error(
			`Chat Message Format ${quoted(format)} is not one of ${CHAT_FORMATS.join(', ')}.`,
		);
	const links = {
		approveUrl: linkOption(options, 'chatApproveUrl', 'Chat Approve URL'),
		rejectUrl: linkOption(options, 'chatRejectUrl', 'Chat Reject URL'),
	};
	const { identity, credentials } = await resolveIdentity(context, session);
	const cloud = (typeof credentials.cloud === 'string' ? credentials.cloud : 'global') as CloudName;
	return {
		format: format as ChatFormat,
		links,
		portal: (kind, id) => defenderPortalUrl(cloud, kind, id, identity.tenantId),
	};
}

/**
 * The output record with `chatMessage` added, written from the full record (`raw`, whose alerts give
 * the entities) whatever the output's shape (Simplify on or off).
 */
export function withChatMessage(
	settings: ChatSettings | undefined,
	kind: 'incident' | 'alert',
	raw: IDataObject,
	output: IDataObject,
): IDataObject {
	if (!settings) return output;
	const subject = chatSubject(kind, raw, (id) => settings.portal(kind, id));
	return { ...output, chatMessage: chatMessage(settings.format, subject, settings.links) };
}

/**
 * Whether a read must fetch an incident's alerts: asked for (Include Alerts), or needed by the chat
 * message, whose counts, devices, users and files come from them.
 */
export function alertsNeeded(includeAlerts: boolean, chat: ChatSettings | undefined): boolean {
	return includeAlerts || chat !== undefined;
}

/** An incident as output: its chat message written from the full record, its alerts only when asked for. */
export function incidentOutput(
	chat: ChatSettings | undefined,
	incident: IDataObject,
	includeAlerts: boolean,
	shape: (record: IDataObject) => IDataObject,
): IDataObject {
	const record = { ...incident };
	if (!includeAlerts) delete record.alerts;
	return withChatMessage(chat, 'incident', incident, shape(record));
}
