// @ts-check
'use strict';
// A phishing incident as Defender for Office 365 raises it: an alert whose evidence is the analyzed
// message (sender, recipient, subject), the recipient's mailbox and the URL in the message, and the
// advanced hunting rows that go with it — the same sender's message in other mailboxes (EmailEvents)
// and who clicked its URL (UrlClickEvents). Shapes: evidence.js (alertEvidence / MailMessage);
// columns: defender-xdr/advanced-hunting-emailevents-table.md and advanced-hunting-urlclickevents-table.md.
const crypto = require('node:crypto');

const { EMAIL_EVENTS_SCHEMA, URL_CLICK_EVENTS_SCHEMA } = require('./hunting');
const { toApiTime } = require('./util');

/**
 * @param {{ alerts: ReturnType<typeof import('./alerts').createAlerts>,
 *   incidents: ReturnType<typeof import('./incidents').createIncidents>,
 *   hunting: ReturnType<typeof import('./hunting').createHunting> }} deps
 */
function createPhishing({ alerts, incidents, hunting }) {
	/**
	 * Seeds the incident and replaces the tenant's EmailEvents and UrlClickEvents tables. The message
	 * reached every address of `recipients` (the first one reported it); `clickedBy` clicked through.
	 * @param {string} tenantId
	 * @param {{ title?: string, severity?: string, sender?: string, subject?: string, url?: string,
	 *   recipients?: string[], clickedBy?: string[], createdTime?: string | number }} [options]
	 */
	function seedPhishingIncident(
		tenantId,
		{
			title = 'Email reported by user as malware or phish',
			severity = 'Medium',
			sender = 'billing@invoices-contoso.example',
			subject = 'Your invoice is overdue',
			url = 'https://invoices-contoso.example/pay',
			recipients = ['carol@contoso.com', 'dave@contoso.com', 'erin@contoso.com'],
			clickedBy = ['dave@contoso.com'],
			createdTime,
		} = {},
	) {
		const created = toApiTime(createdTime);
		const networkMessageId = crypto.randomUUID();
		const incident = incidents.createIncident(tenantId, {
			title,
			severity,
			devices: [],
			createdTime: created,
		});
		const [reporter] = recipients;
		const alert = alerts.createAlert(tenantId, {
			incidentId: incident.id,
			title,
			severity,
			category: 'InitialAccess',
			createdTime: created,
			evidence: [
				{
					kind: 'emailMessage',
					networkMessageId,
					internetMessageId: `<${networkMessageId.slice(0, 8)}@${sender.split('@')[1]}>`,
					subject,
					sender,
					recipient: reporter,
				},
				{ kind: 'mailbox', address: reporter, upn: reporter, displayName: reporter.split('@')[0] },
				{ kind: 'url', url },
			],
		});
		const at = (/** @type {number} */ minutesAgo) =>
			toApiTime(Date.parse(created) - minutesAgo * 60_000);
		hunting.setHuntingTable(tenantId, 'EmailEvents', {
			schema: EMAIL_EVENTS_SCHEMA,
			rows: [
				...recipients.map((recipient, i) => ({
					Timestamp: at(30 - i),
					NetworkMessageId: networkMessageId,
					RecipientEmailAddress: recipient,
					SenderFromAddress: sender,
					Subject: subject,
					DeliveryAction: 'Delivered',
					DeliveryLocation: 'Inbox/folder',
					ThreatTypes: '',
				})),
				{
					Timestamp: at(60),
					NetworkMessageId: crypto.randomUUID(),
					RecipientEmailAddress: reporter,
					SenderFromAddress: 'newsletter@fabrikam.example',
					Subject: 'Weekly news',
					DeliveryAction: 'Delivered',
					DeliveryLocation: 'Inbox/folder',
					ThreatTypes: '',
				},
			],
		});
		hunting.setHuntingTable(tenantId, 'UrlClickEvents', {
			schema: URL_CLICK_EVENTS_SCHEMA,
			rows: clickedBy.map((upn, i) => ({
				Timestamp: at(20 - i),
				AccountUpn: upn,
				Url: url,
				ActionType: 'ClickAllowed',
				IsClickedThrough: true,
				Workload: 'Email',
				NetworkMessageId: networkMessageId,
			})),
		});
		return {
			incident: incidents.getIncident(tenantId, incident.id),
			alert,
			networkMessageId,
			sender,
			subject,
			url,
			recipients,
			clickedBy,
		};
	}

	return { seedPhishingIncident };
}

module.exports = { createPhishing };
