// @ts-check
'use strict';
// The entities of an alert beyond its device, process and user, kept once (canonical) and rendered in
// each API's documented shape: Defender XDR `alerts[].entities[]` / Defender for Endpoint `evidence[]`
// (entityType, every field present, null where not applicable) and Graph `evidence[]` (@odata.type).

/**
 * @typedef {{ verdict?: string, remediationStatus?: string }} Status
 * @typedef {Status & (
 *   { kind: 'file', fileName: string, filePath: string, sha1: string, sha256: string, deviceId?: string } |
 *   { kind: 'ip', address: string } |
 *   { kind: 'url', url: string } |
 *   { kind: 'user', name: string, domain: string, sid: string, upn: string } |
 *   { kind: 'mailbox', address: string, upn: string, displayName: string } |
 *   { kind: 'emailMessage', networkMessageId: string, internetMessageId: string, subject: string, sender: string, recipient: string } |
 *   { kind: 'registry', hive: string, key: string, valueName: string, value: string, valueType: string } |
 *   { kind: 'securityGroup', id: string, name: string }
 * )} Evidence
 */

const KINDS = ['file', 'ip', 'url', 'user', 'mailbox', 'emailMessage', 'registry', 'securityGroup'];

const XDR_FIELDS = [
	'sha1',
	'sha256',
	'fileName',
	'filePath',
	'processId',
	'processCommandLine',
	'processCreationTime',
	'parentProcessId',
	'parentProcessCreationTime',
	'parentProcessFileName',
	'parentProcessFilePath',
	'ipAddress',
	'url',
	'registryKey',
	'registryHive',
	'registryValueType',
	'registryValue',
	'registryValueName',
	'accountName',
	'domainName',
	'userSid',
	'aadUserId',
	'userPrincipalName',
	'mailboxDisplayName',
	'mailboxAddress',
	'clusterBy',
	'sender',
	'recipient',
	'subject',
	'deliveryAction',
	'securityGroupId',
	'securityGroupName',
	'deviceId',
];

/** @param {unknown} value @returns {Evidence} */
function checkEvidence(value) {
	const item = /** @type {Evidence} */ (value);
	if (!item || typeof item !== 'object' || !KINDS.includes(item.kind))
		throw new Error(`Evidence kind must be one of ${KINDS.join(', ')}`);
	return structuredClone(item);
}

const pascal = (/** @type {string} */ s) => s[0].toUpperCase() + s.slice(1);
const camel = (/** @type {string} */ s) => s[0].toLowerCase() + s.slice(1);

/** Defender XDR / Defender for Endpoint entity. @param {Evidence} e @param {string} at */
function toXdrEntity(e, at) {
	/** @type {Record<string, unknown>} */
	const fields = {};
	let entityType = '';
	switch (e.kind) {
		case 'file':
			entityType = 'File';
			Object.assign(fields, {
				fileName: e.fileName,
				filePath: e.filePath,
				sha1: e.sha1,
				sha256: e.sha256,
				deviceId: e.deviceId ?? null,
			});
			break;
		case 'ip':
			entityType = 'Ip';
			fields.ipAddress = e.address;
			break;
		case 'url':
			entityType = 'Url';
			fields.url = e.url;
			break;
		case 'user':
			entityType = 'User';
			Object.assign(fields, {
				accountName: e.name,
				domainName: e.domain,
				userSid: e.sid,
				userPrincipalName: e.upn,
			});
			break;
		case 'mailbox':
			entityType = 'MailBox';
			Object.assign(fields, {
				mailboxAddress: e.address,
				userPrincipalName: e.upn,
				mailboxDisplayName: e.displayName,
			});
			break;
		case 'emailMessage':
			// defender-xdr/api-list-incidents.md, Entity format: sender, recipient, subject, deliveryAction; no message ID.
			entityType = 'MailMessage';
			Object.assign(fields, {
				subject: e.subject,
				sender: e.sender,
				recipient: e.recipient,
				deliveryAction: 'Delivered',
			});
			break;
		case 'registry':
			entityType = 'Registry';
			Object.assign(fields, {
				registryHive: e.hive,
				registryKey: e.key,
				registryValueName: e.valueName,
				registryValue: e.value,
				registryValueType: e.valueType,
			});
			break;
		case 'securityGroup':
			entityType = 'SecurityGroup';
			Object.assign(fields, { securityGroupId: e.id, securityGroupName: e.name });
			break;
	}
	return {
		entityType,
		evidenceCreationTime: at,
		...Object.fromEntries(XDR_FIELDS.map((name) => [name, fields[name] ?? null])),
		verdict: pascal(e.verdict ?? 'suspicious'),
		remediationStatus: pascal(e.remediationStatus ?? 'none'),
	};
}

/** Microsoft Graph alertEvidence. @param {Evidence} e @param {string} at */
function toGraphEvidence(e, at) {
	const common = (/** @type {string} */ type) => ({
		'@odata.type': `#microsoft.graph.security.${type}`,
		createdDateTime: at,
		verdict: camel(e.verdict ?? 'suspicious'),
		remediationStatus: camel(e.remediationStatus ?? 'none'),
		remediationStatusDetails: null,
		roles: [],
		detailedRoles: [],
		tags: [],
	});
	switch (e.kind) {
		case 'file':
			return {
				...common('fileEvidence'),
				detectionStatus: 'detected',
				mdeDeviceId: e.deviceId ?? null,
				fileDetails: {
					fileName: e.fileName,
					filePath: e.filePath,
					sha1: e.sha1,
					sha256: e.sha256,
					md5: null,
					fileSize: 4096,
					signer: null,
					issuer: null,
					filePublisher: null,
				},
			};
		case 'ip':
			return { ...common('ipEvidence'), ipAddress: e.address, countryLetterCode: null };
		case 'url':
			return { ...common('urlEvidence'), url: e.url };
		case 'user':
			return {
				...common('userEvidence'),
				userAccount: {
					accountName: e.name,
					domainName: e.domain,
					userSid: e.sid,
					userPrincipalName: e.upn,
					azureAdUserId: null,
					displayName: null,
				},
			};
		case 'mailbox':
			return {
				...common('mailboxEvidence'),
				primaryAddress: e.address,
				upn: e.upn,
				displayName: e.displayName,
				userAccount: null,
			};
		case 'emailMessage':
			return {
				...common('analyzedMessageEvidence'),
				networkMessageId: e.networkMessageId,
				internetMessageId: e.internetMessageId,
				subject: e.subject,
				recipientEmailAddress: e.recipient,
				p1Sender: {
					emailAddress: e.sender,
					displayName: null,
					domainName: e.sender.split('@')[1] ?? null,
				},
				p2Sender: {
					emailAddress: e.sender,
					displayName: null,
					domainName: e.sender.split('@')[1] ?? null,
				},
				senderIp: null,
				deliveryAction: 'delivered',
				deliveryLocation: 'inbox',
				urls: [],
				threats: [],
				language: 'en',
				antiSpamDirection: 'inbound',
				attachmentsCount: 0,
				urlCount: 0,
			};
		case 'registry':
			return {
				...common('registryValueEvidence'),
				registryHive: e.hive,
				registryKey: e.key,
				registryValueName: e.valueName,
				registryValue: e.value,
				registryValueType: e.valueType,
				mdeDeviceId: null,
			};
		case 'securityGroup':
			return {
				...common('securityGroupEvidence'),
				securityGroupId: e.id,
				displayName: e.name,
				activeDirectoryObjectGuid: null,
			};
	}
}

module.exports = { checkEvidence, toXdrEntity, toGraphEvidence };
