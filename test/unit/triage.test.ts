import {
	chatMessage,
	chatSubject,
	clip,
	defenderPortalUrl,
	escapeMarkdown,
	markdownMessage,
	slackMessage,
	teamsMessage,
	SLACK_LIMITS,
	type ChatSubject,
} from '../../dist/nodes/MicrosoftDefender/helpers/chatMessages';
import {
	entitiesOfAlerts,
	entitiesOfIncident,
	filterEntities,
	groupEntities,
	type Entity,
} from '../../dist/nodes/MicrosoftDefender/helpers/entities';
import {
	buildTemplateQuery,
	HUNTING_TEMPLATES,
	kqlString,
} from '../../dist/nodes/MicrosoftDefender/helpers/huntingTemplates';
import {
	parseProtectionRules,
	protectedTargetOf,
	protectedAccountMatch,
	protectedDeviceMatch,
	protectionMessage,
} from '../../dist/nodes/MicrosoftDefender/helpers/protection';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const DEVICE_ID = 'a'.repeat(40);
const SHA1 = 'b'.repeat(40);
const SHA256 = 'c'.repeat(64);

/** One incident with two alerts on the same device and user, in each API's documented shape. */
const xdrIncident = {
	incidentId: 77,
	incidentName: 'Ransomware',
	alerts: [
		{
			alertId: 'da1',
			incidentId: 77,
			devices: [
				{
					mdatpDeviceId: DEVICE_ID.toUpperCase(),
					deviceDnsName: 'WS-1.contoso.local',
					osPlatform: 'Windows11',
					aadDeviceId: null,
				},
			],
			entities: [
				{
					entityType: 'User',
					accountName: 'alice',
					domainName: 'CONTOSO',
					userSid: 'S-1-5-21-1',
					userPrincipalName: 'Alice@contoso.com',
					aadUserId: null,
					verdict: 'Suspicious',
					remediationStatus: 'None',
				},
				{
					entityType: 'File',
					fileName: 'evil.exe',
					filePath: 'C:\\t',
					sha1: SHA1,
					sha256: SHA256,
					deviceId: DEVICE_ID,
					verdict: 'Suspicious',
				},
				{ entityType: 'Url', url: 'https://bad.example.com/x?a=1', verdict: null },
				{ entityType: 'MailCluster', clusterBy: 'Subject', verdict: null },
			],
		},
		{
			alertId: 'da2',
			incidentId: 77,
			devices: [
				{ mdatpDeviceId: DEVICE_ID, deviceDnsName: 'ws-1.contoso.local', osPlatform: 'Windows11' },
			],
			entities: [
				{
					entityType: 'User',
					accountName: 'alice',
					domainName: 'CONTOSO',
					userSid: 'S-1-5-21-1',
					userPrincipalName: null,
					verdict: 'Malicious',
				},
				{ entityType: 'Ip', ipAddress: '203.0.113.7', verdict: null },
			],
		},
	],
};

const graphIncident = {
	id: '77',
	displayName: 'Ransomware',
	alerts: [
		{
			id: 'da1',
			incidentId: '77',
			evidence: [
				{
					'@odata.type': '#microsoft.graph.security.deviceEvidence',
					mdeDeviceId: DEVICE_ID,
					deviceDnsName: 'ws-1.contoso.local',
					osPlatform: 'Windows11',
					verdict: 'suspicious',
					remediationStatus: 'none',
				},
				{
					'@odata.type': '#microsoft.graph.security.userEvidence',
					userAccount: {
						accountName: 'alice',
						domainName: 'CONTOSO',
						userSid: 'S-1-5-21-1',
						userPrincipalName: 'alice@contoso.com',
					},
					verdict: 'suspicious',
					remediationStatus: 'none',
				},
				{
					'@odata.type': '#microsoft.graph.security.fileEvidence',
					fileDetails: { fileName: 'evil.exe', filePath: 'C:\\t', sha1: SHA1, sha256: SHA256 },
					mdeDeviceId: DEVICE_ID,
					verdict: 'suspicious',
				},
				{
					'@odata.type': '#microsoft.graph.security.urlEvidence',
					url: 'https://bad.example.com/x?a=1',
				},
				{
					'@odata.type': '#microsoft.graph.security.kubernetesPodEvidence',
					name: 'pod-1',
					namespace: { name: 'prod' },
				},
			],
		},
		{
			id: 'da2',
			incidentId: '77',
			evidence: [
				{
					'@odata.type': '#microsoft.graph.security.deviceEvidence',
					mdeDeviceId: DEVICE_ID,
					deviceDnsName: 'ws-1.contoso.local',
				},
				{
					'@odata.type': '#microsoft.graph.security.userEvidence',
					userAccount: { accountName: 'alice', domainName: 'CONTOSO', userSid: 'S-1-5-21-1' },
					verdict: 'malicious',
				},
				{ '@odata.type': '#microsoft.graph.security.ipEvidence', ipAddress: '203.0.113.7' },
			],
		},
	],
};

const byKind = (entities: Entity[], kind: string) =>
	entities.filter((entity) => entity.kind === kind);

describe('entities of an incident', () => {
	it('gives the same devices, users, files, IPs, URLs and domains on both APIs, each once with all its alerts', () => {
		const xdr = entitiesOfIncident(xdrIncident);
		const graph = entitiesOfIncident(graphIncident);
		const comparable = (entities: Entity[]) =>
			entities
				.filter((entity) => entity.kind !== 'other')
				.map(({ verdict, remediationStatus, ...rest }) => rest)
				.sort((a, b) => `${a.kind}${a.value}`.localeCompare(`${b.kind}${b.value}`));
		expect(comparable(graph)).toEqual(comparable(xdr));
		expect(byKind(xdr, 'device')).toEqual([
			expect.objectContaining({
				value: 'ws-1.contoso.local',
				deviceId: DEVICE_ID,
				deviceName: 'ws-1.contoso.local',
				alertIds: ['da1', 'da2'],
				incidentId: '77',
			}),
		]);
		expect(byKind(graph, 'user')).toEqual([
			expect.objectContaining({
				value: 'alice@contoso.com',
				accountName: 'alice',
				accountDomain: 'CONTOSO',
				sid: 'S-1-5-21-1',
				alertIds: ['da1', 'da2'],
				verdict: 'Malicious',
			}),
		]);
		expect(byKind(graph, 'file')).toEqual([
			expect.objectContaining({
				value: 'evil.exe',
				sha1: SHA1,
				sha256: SHA256,
				md5: null,
				verdict: 'Suspicious',
			}),
		]);
		expect(byKind(xdr, 'domain').map((entity) => entity.value)).toEqual(['bad.example.com']);
		expect(byKind(xdr, 'ip')).toEqual([
			expect.objectContaining({ ip: '203.0.113.7', alertIds: ['da2'] }),
		]);
	});

	it('keeps kinds it does not know, with their type name', () => {
		expect(byKind(entitiesOfIncident(xdrIncident), 'other')).toEqual([
			expect.objectContaining({
				typeName: 'mailCluster',
				properties: { clusterBy: 'Subject' },
				value: 'mailCluster',
				alertIds: ['da1'],
			}),
		]);
		expect(byKind(entitiesOfIncident(graphIncident), 'other')).toEqual([
			expect.objectContaining({
				typeName: 'kubernetesPod',
				value: 'pod-1',
				properties: { name: 'pod-1', namespace: { name: 'prod' } },
			}),
		]);
	});

	it('reads a Defender for Endpoint alert: its device on the alert, evidence typed by entityType', () => {
		const entities = entitiesOfAlerts(
			[
				{
					id: 'da9',
					incidentId: 5,
					machineId: DEVICE_ID,
					computerDnsName: 'srv.contoso.local',
					evidence: [
						{
							entityType: 'Process',
							processId: 42,
							processCommandLine: 'cmd /c x',
							fileName: 'cmd.exe',
							sha1: SHA1,
							deviceId: DEVICE_ID,
						},
					],
				},
			],
			null,
		);
		expect(
			entities.map((entity) => [entity.kind, entity.value, entity.incidentId, entity.alertIds]),
		).toEqual([
			['device', 'srv.contoso.local', '5', ['da9']],
			['process', 'cmd /c x', '5', ['da9']],
		]);
	});

	it('filters by kind and groups by kind', () => {
		const entities = entitiesOfIncident(graphIncident);
		expect(filterEntities(entities, ['device', 'ip']).map((entity) => entity.kind)).toEqual([
			'device',
			'ip',
		]);
		expect(filterEntities(entities, [])).toHaveLength(entities.length);
		const grouped = groupEntities(entities, '77');
		expect(grouped.entityCount).toBe(entities.length);
		expect((grouped.devices as Entity[]).map((entity) => entity.value)).toEqual([
			'ws-1.contoso.local',
		]);
		expect(grouped.registry).toEqual([]);
	});
});

const hostile =
	'<!channel> *bold* _it_ `code` [x](https://evil) @everyone & {{DATE(2026-01-01T00:00:00Z)}}';

function subject(overrides: Partial<ChatSubject> = {}): ChatSubject {
	return {
		...chatSubject('incident', graphIncident, (id) =>
			defenderPortalUrl('usGccHigh', 'incident', id, 't1'),
		),
		...overrides,
	};
}

describe('Entity Types = File', () => {
	const processAlert = (entities: object[]) => ({
		alertId: 'da1',
		incidentId: 7,
		entities: [
			{
				entityType: 'Process',
				processId: 4120,
				processCommandLine: 'invoice.exe /silent',
				fileName: 'invoice.exe',
				filePath: 'C:\\Users\\bob\\Downloads',
				sha256: SHA256,
				deviceId: 'd1',
			},
			...entities,
		],
	});

	it("includes a process's image file that the incident names only on the process", () => {
		const entities = entitiesOfIncident({ incidentId: 7, alerts: [processAlert([])] });
		expect(entities.filter((entity) => entity.kind === 'file')).toEqual([]);
		expect(filterEntities(entities, ['file'])).toEqual([
			expect.objectContaining({
				kind: 'file',
				value: 'invoice.exe',
				fileName: 'invoice.exe',
				sha256: SHA256,
				deviceId: 'd1',
				alertIds: ['da1'],
			}),
		]);
	});

	it('does not repeat a file that is an entity of its own', () => {
		const entities = entitiesOfIncident({
			incidentId: 7,
			alerts: [processAlert([{ entityType: 'File', fileName: 'invoice.exe', sha256: SHA256 }])],
		});
		expect(filterEntities(entities, ['file'])).toHaveLength(1);
		expect(filterEntities(entities, ['process']).map((entity) => entity.kind)).toEqual(['process']);
	});
});

describe('chat messages', () => {
	it('prefers the portal URL the API returned and falls back to the cloud portal', () => {
		expect(subject().portalUrl).toBe('https://security.microsoft.us/incidents/77?tid=t1');
		expect(
			chatSubject('incident', {
				...graphIncident,
				incidentWebUrl: 'https://security.microsoft.com/incidents/77?tid=x',
			}).portalUrl,
		).toBe('https://security.microsoft.com/incidents/77?tid=x');
		expect(defenderPortalUrl('usDod', 'alert', 'da 1')).toBe(
			'https://security.apps.mil/alerts/da%201',
		);
		expect(chatSubject('alert', { id: 'a1', title: 'T', severity: 'high', status: 'new' })).toEqual(
			expect.objectContaining({
				id: 'a1',
				severity: 'High',
				status: 'New',
				entities: null,
				alertCount: null,
				portalUrl: null,
			}),
		);
	});

	it('Slack: header, facts, top entities and buttons; no value can mention or format', () => {
		const message = slackMessage(
			subject({ title: hostile, severity: 'High', assignedTo: '<@U123>' }),
			{ approveUrl: 'https://n8n.local/a', rejectUrl: 'https://n8n.local/r' },
		);
		const blocks = message.blocks as Array<Json>;
		expect(blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
		expect(blocks[0]).toEqual({
			type: 'header',
			text: {
				type: 'plain_text',
				text: expect.stringMatching(/^🔴 Incident 77: <!channel> \*bold\*/),
				emoji: true,
			},
		});
		const texts = JSON.stringify(blocks).match(/"type":"(plain_text|mrkdwn)"/g) ?? [];
		expect(texts.every((type) => type.includes('plain_text'))).toBe(true);
		expect(blocks[1].fields.map((field: { text: string }) => field.text)).toEqual([
			'Severity: 🔴 High',
			'Status: Unknown',
			'Assigned to: <@U123>',
			'Alerts: 2',
			'Entities: 7',
		]);
		expect(
			blocks.at(-1)!.elements.map((button: Json) => [button.text.text, button.url, button.style]),
		).toEqual([
			['Open in Defender', 'https://security.microsoft.us/incidents/77?tid=t1', undefined],
			['Approve', 'https://n8n.local/a', 'primary'],
			['Reject', 'https://n8n.local/r', 'danger'],
		]);
		expect(message.text).not.toMatch(/[<>]/);
		expect(message.text).toContain('&lt;!channel&gt;');
		expect(message.mrkdwn).toBe(false);
	});

	it('Slack: long titles and lists are cut visibly within the limits', () => {
		const devices: Entity[] = Array.from({ length: 12 }, (_, i) => ({
			kind: 'device',
			value: `host-${i}-${'x'.repeat(400)}`,
			verdict: null,
			remediationStatus: null,
			alertIds: [],
			incidentId: '1',
		}));
		const message = slackMessage(subject({ title: 'T'.repeat(5000), entities: devices }));
		const blocks = message.blocks as Array<Json>;
		expect(Array.from(blocks[0].text.text as string)).toHaveLength(SLACK_LIMITS.header);
		expect(blocks[0].text.text.endsWith('…')).toBe(true);
		const list = blocks.find((block) => String(block.text?.text).startsWith('Devices (12)'))!;
		expect(list.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.text);
		expect(list.text.text).toMatch(/… and 7 more$/);
		for (const block of blocks)
			if (block.text) expect(block.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.text);
		expect((message.text as string).length).toBeLessThanOrEqual(SLACK_LIMITS.text);
	});

	it('Teams: an Adaptive Card in a Workflows message, values in TextRuns, within 28 KB', () => {
		const message = teamsMessage(subject({ title: hostile, severity: 'Medium' }), {
			approveUrl: 'https://n8n.local/a',
		});
		expect(message.type).toBe('message');
		const [attachment] = message.attachments as Array<Json>;
		expect(attachment.contentType).toBe('application/vnd.microsoft.card.adaptive');
		const card = attachment.content;
		expect(card).toEqual(expect.objectContaining({ type: 'AdaptiveCard', version: '1.4' }));
		expect(card.body[0].style).toBe('warning');
		expect(JSON.stringify(card)).not.toContain('"type":"TextBlock"');
		expect(card.body[0].items[1].inlines[0].text).toContain('{\u200B{DATE(');
		expect(card.actions.map((action: Record<string, string>) => action.title)).toEqual([
			'Open in Defender',
			'Approve',
		]);
		expect(Buffer.byteLength(JSON.stringify(message))).toBeLessThanOrEqual(28_000);
		expect(JSON.parse(JSON.stringify(message))).toEqual(message);
	});

	it('Teams: lists shrink, with "… and N more", until the message fits', () => {
		const users: Entity[] = Array.from({ length: 40 }, (_, i) => ({
			kind: 'user',
			value: `user${i}@contoso.com`,
			verdict: null,
			remediationStatus: null,
			alertIds: [],
			incidentId: '1',
		}));
		const roomy = JSON.stringify(teamsMessage(subject({ entities: users })));
		expect(roomy).toContain('… and 35 more');
		const tight = teamsMessage(subject({ entities: users }), {}, 1700);
		expect(Buffer.byteLength(JSON.stringify(tight))).toBeLessThanOrEqual(1700);
		const rest = Number(/… and (\d+) more/.exec(JSON.stringify(tight))?.[1]);
		expect(rest).toBeGreaterThan(35);
	});

	it('Markdown: escaped values, mentions broken, links for the portal and the decision', () => {
		const text = markdownMessage(subject({ title: hostile, severity: 'Low' }), {
			approveUrl: 'https://n8n.local/a?x=(1)',
			rejectUrl: 'https://n8n.local/r',
		});
		const [first] = text.split('\n');
		expect(first).toBe(
			'🟡 Incident 77: \\<\\!channel\\> \\*bold\\* \\_it\\_ \\`code\\` \\[x\\]\\(https://evil\\) @\u200Beveryone & \\{\\{DATE\\(2026-01-01T00:00:00Z\\)\\}\\}',
		);
		expect(text).toContain('Devices (1):\n• ws-1.contoso.local');
		expect(text).toContain(
			'[Open in Defender](https://security.microsoft.us/incidents/77?tid=t1) · [Approve](https://n8n.local/a?x=%281%29) · [Reject](https://n8n.local/r)',
		);
		expect(escapeMarkdown('line1\nline2')).toBe('line1 line2');
		expect(escapeMarkdown('@here mail alice@contoso.com')).toBe(
			'@\u200Bhere mail alice@contoso.com',
		);
	});

	it('chatMessage picks the format; clip never splits an emoji', () => {
		expect(typeof chatMessage('markdown', subject())).toBe('string');
		expect(chatMessage('slack', subject())).toHaveProperty('blocks');
		expect(chatMessage('teams', subject())).toHaveProperty('attachments');
		expect(clip('🔴🔴🔴', 2)).toBe('🔴…');
	});
});

describe('hunting templates', () => {
	it('writes entity values as KQL string literals that cannot end the string', () => {
		expect(kqlString('a"b\\c')).toBe('"a\\"b\\\\c"');
		expect(kqlString('x\ny')).toBe('"x\\ny"');
		expect(() => kqlString('a\u0000b')).toThrow(/control characters/);
		const query = buildTemplateQuery('deviceProcessEvents', 'ws" or 1==1 //\\', 168);
		expect(query).toContain(
			'where DeviceName =~ "ws\\" or 1==1 //\\\\" or DeviceName startswith "ws\\" or 1==1 //\\\\." or DeviceId == "ws\\" or 1==1 //\\\\"',
		);
		expect(query).toContain('Timestamp > ago(168h)');
	});

	it('has every template of the issue, each with a look-back and its table', () => {
		const tables: Record<string, string> = {
			deviceProcessEvents: 'DeviceProcessEvents',
			deviceNetworkEvents: 'DeviceNetworkEvents',
			deviceLogonEvents: 'DeviceLogonEvents',
			userLogons: 'IdentityLogonEvents',
			filePrevalence: 'DeviceFileEvents',
			emailReceived: 'EmailEvents',
			urlClicks: 'UrlClickEvents',
			alertsForEntity: 'AlertEvidence',
		};
		expect(HUNTING_TEMPLATES.map((template) => template.value)).toEqual(Object.keys(tables));
		for (const [value, table] of Object.entries(tables)) {
			const query = buildTemplateQuery(
				value,
				value === 'filePrevalence' ? SHA256.toUpperCase() : 'x@contoso.com',
				72,
			);
			expect(query.startsWith(`${table}\n| where Timestamp > ago(72h)`)).toBe(true);
		}
	});

	it('picks the hash column by length and refuses what is not a hash, an empty value or an impossible look-back', () => {
		expect(buildTemplateQuery('filePrevalence', SHA1, 1)).toContain(`where SHA1 == "${SHA1}"`);
		expect(buildTemplateQuery('filePrevalence', 'D41D8CD98F00B204E9800998ECF8427E', 1)).toContain(
			'where MD5 == "d41d8cd98f00b204e9800998ecf8427e"',
		);
		expect(() => buildTemplateQuery('filePrevalence', 'evil.exe', 1)).toThrow(/not a file hash/);
		expect(() => buildTemplateQuery('userLogons', '  ', 1)).toThrow(/empty/);
		expect(() => buildTemplateQuery('userLogons', 'a', 721)).toThrow(
			/keeps 720 hours \(30 days\) of data\. Enter 1 to 720/,
		);
		expect(buildTemplateQuery('urlClicks', 'evil.example', 1)).toContain(
			'where Url has "evil.example"',
		);
		expect(buildTemplateQuery('urlClicks', 'https://evil.example/a', 1)).toContain(
			'where Url =~ "https://evil.example/a"',
		);
	});
});

describe('which request changes which device or account', () => {
	const id = 'a'.repeat(40);
	it.each([
		['POST', `/api/machines/${id}/isolate`, {}, { kind: 'device', id }],
		['post', `/API/Machines/${id}/Offboard`, {}, { kind: 'device', id }],
		['POST', `/api/machines/${id}/tags`, { Value: 'x', Action: 'Remove' }, { kind: 'device', id }],
		['POST', `/api/machines/${id}/tags`, '{"value":"x"}', { kind: 'device', id }],
		['PATCH', `/api/machines/${id}`, {}, { kind: 'device', id }],
		['POST', `/api/machines/${id}%2Fisolate`, {}, { kind: 'device', id }],
		['POST', `/api/v1.0/machines/${id}/isolate`, {}, { kind: 'device', id }],
		[
			'POST',
			`/api/machines('${id}')/isolate`,
			{},
			expect.objectContaining({ kind: 'unchecked', rules: 'devices' }),
		],
		[
			'POST',
			'/api/machines/AddOrRemoveTagForMultipleMachines',
			{ Action: 'Remove' },
			expect.objectContaining({ kind: 'unchecked', rules: 'devices' }),
		],
		[
			'POST',
			'/v1.0/security/identities/identityAccounts/abc/invokeAction',
			{},
			{ kind: 'identityAccount', id: 'abc', version: 'v1.0' },
		],
		[
			'PATCH',
			'/beta/users/ceo%40contoso.com',
			{},
			{ kind: 'entraUser', id: 'ceo@contoso.com', version: 'beta' },
		],
		[
			'POST',
			"/v1.0/users('ceo')/revokeSignInSessions",
			{},
			expect.objectContaining({ kind: 'unchecked', rules: 'accounts' }),
		],
	])('%s %s is covered', (method, path, body, target) => {
		expect(protectedTargetOf(method, path, body)).toEqual(target);
	});

	it.each([
		['GET', `/api/machines/${id}`, {}],
		['POST', `/api/machines/${id}/unisolate`, {}],
		['POST', `/api/machines/${id}/UnrestrictCodeExecution`, {}],
		['POST', `/api/machines/${id}/tags`, { value: 'x', action: 'add' }],
		['POST', '/api/machines/AddOrRemoveTagForMultipleMachines', { Action: 'Add' }],
		['POST', `/api/machineactions/${id}/cancel`, {}],
		['POST', '/api/indicators', {}],
		['POST', '/v1.0/users', {}],
		['PATCH', '/v1.0/security/incidents/1', {}],
	])('%s %s is not', (method, path, body) => {
		expect(protectedTargetOf(method, path, body)).toBeUndefined();
	});
});

describe('protected devices and accounts', () => {
	const rules = parseProtectionRules(
		'tag:VIP, name:dc*\n# a comment\nsrv-db?? , *.finance.contoso.local',
	);

	it('matches tags, names and host names with wildcards, naming the rule', () => {
		expect(protectedDeviceMatch(rules, { name: 'ws-1.contoso.local', tags: ['vip'] })).toEqual({
			rule: 'tag:VIP',
			matched: 'tag "vip"',
		});
		expect(protectedDeviceMatch(rules, { name: 'DC01.contoso.local', tags: [] })).toEqual({
			rule: 'name:dc*',
			matched: 'name "DC01.contoso.local"',
		});
		expect(protectedDeviceMatch(rules, { name: 'srv-db01.contoso.local' })?.rule).toBe('srv-db??');
		expect(protectedDeviceMatch(rules, { name: 'pc.finance.contoso.local' })?.rule).toBe(
			'*.finance.contoso.local',
		);
		expect(
			protectedDeviceMatch(rules, { name: 'srv-db001.contoso.local', tags: ['dc'] }),
		).toBeUndefined();
		expect(
			protectedDeviceMatch(parseProtectionRules('tag:dc*'), {
				name: 'dc01.contoso.local',
				tags: [],
			}),
		).toBeUndefined();
		expect(protectedDeviceMatch(parseProtectionRules(''), { name: 'dc01' })).toBeUndefined();
		expect(
			protectedDeviceMatch(parseProtectionRules('a.b(c)'), { name: 'aXb(c)' }),
		).toBeUndefined();
	});

	it('matches accounts by UPN, DOMAIN\\name, name or SID', () => {
		const accountRules = parseProtectionRules(
			'*@exec.contoso.com, CONTOSO\\admin*, S-1-5-21-*-500',
		);
		expect(protectedAccountMatch(accountRules, { upn: 'ceo@exec.contoso.com' })).toEqual({
			rule: '*@exec.contoso.com',
			matched: 'account "ceo@exec.contoso.com"',
		});
		expect(
			protectedAccountMatch(accountRules, { accountName: 'Admin-Bob', domain: 'contoso' })?.rule,
		).toBe('CONTOSO\\admin*');
		expect(protectedAccountMatch(accountRules, { sid: 'S-1-5-21-1-2-3-500' })?.rule).toBe(
			'S-1-5-21-*-500',
		);
		expect(
			protectedAccountMatch(accountRules, {
				upn: 'bob@contoso.com',
				accountName: 'bob',
				domain: 'CONTOSO',
			}),
		).toBeUndefined();
		expect(
			protectionMessage(
				'Device dc01',
				{ rule: 'name:dc*', matched: 'name "dc01"' },
				'Protected Devices',
			),
		).toBe(
			'Device dc01 is protected: its name "dc01" matches the rule "name:dc*" in the credential\'s Protected Devices, so no response action runs on it.',
		);
	});
});
