/**
 * The n8n editor as a person sees it, in headless Chromium driven by playwright-core: the packed
 * package in a real n8n 2.41.1 (the demo's set-up: emulator seeded with the demo tenant, the
 * credential and the triage example imported), signed in at /signin, then the canvas, a Microsoft
 * Defender node's parameter panel and the credential dialog with its Test (Retry) button, a new
 * credential's dialog, the error panel of a node whose endpoints cannot be reached, Run Live
 * Response's commands, the credential's protection fields and a hunting template run.
 *
 * Screenshots (1440×900) are written to docs/screenshots/ on every run; the README shows them.
 * Runs with the other real-n8n tests (`npm run e2e`, DEFENDER_E2E=1). The first run installs
 * Debian's chromium with apt-get (needs root) and n8n into ~/.cache.
 */
import fs from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

import type { BrowserContext, Page, Response } from 'playwright-core';

import { MicrosoftDefenderApi } from '../../dist/credentials/MicrosoftDefenderApi.credentials';
import * as lab from '../../scripts/lab';

const RUN = process.env.DEFENDER_E2E === '1';
const MINUTE = 60_000;
const SCREENSHOTS = path.join(lab.REPO, 'docs', 'screenshots');
const WORKFLOW_ID = 'BrowserTriage001';
const CREDENTIAL_ID = 'BrowserDefCred01';
const PACKAGE = lab.PACKAGE_NAME;
const NODE_ICON = `/icons/${PACKAGE}/dist/nodes/MicrosoftDefender/microsoftDefender.svg`;
const CREDENTIAL_ICON = `/icons/${PACKAGE}/dist/credentials/microsoftDefender.svg`;
/** The Microsoft Defender nodes of examples/incident-triage.json. */
const DEFENDER_NODES = ['New High/Medium Incident', 'Hunt Process Events', 'Set In Progress'];
/** A second credential whose every URL is a closed loopback port, and a workflow that uses it. */
const UNREACHABLE_CREDENTIAL_ID = 'BrowserDeadCred1';
const UNREACHABLE_WORKFLOW_ID = 'BrowserUnreach01';
const UNREACHABLE_NODE = 'List Incidents';
/** The gallery examples whose canvases the README shows: docs/screenshots/gallery-<file name>.png. */
const GALLERY = [
	{ file: 'phishing-triage.json', id: 'BrowserGallery01' },
	{ file: 'mssp-morning-report.json', id: 'BrowserGallery02' },
	{ file: 'vulnerability-sla.json', id: 'BrowserGallery03' },
];
/** A workflow for pictures of Run Live Response's commands and a hunting template run. */
const SHOWCASE_WORKFLOW_ID = 'BrowserShowcase1';
const LIVE_RESPONSE_NODE = 'Collect Triage Files';
const TEMPLATE_NODE = 'Hunt ws-0101';
const progress = (message: string) => process.stderr.write(`[browser] ${message}\n`);

(RUN ? describe : describe.skip)('the n8n editor in headless Chromium', () => {
	let emulator: Awaited<ReturnType<typeof lab.startDemoEmulator>>;
	let n8n: Awaited<ReturnType<typeof lab.startLabN8n>>;
	let browser: Awaited<ReturnType<typeof lab.launchChromium>>;
	let context: BrowserContext;
	let page: Page;
	const pageErrors: string[] = [];
	const blocked = new Set<string>();
	const credentialWrites: string[] = [];
	/** Every URL of the second credential: a loopback port nothing listens on (n8n gets "connection refused"). */
	let unreachableUrl = '';

	beforeAll(async () => {
		const started = Date.now();
		const seconds = () => `${Math.round((Date.now() - started) / 1000)} s`;
		await lab.ensureChromium({ onProgress: progress });
		emulator = await lab.startDemoEmulator({ latencyMs: [0, 0], credentialId: CREDENTIAL_ID });
		const workflow = lab.forImport(lab.loadExample('incident-triage.json'), { id: WORKFLOW_ID });
		unreachableUrl = `https://127.0.0.1:${await closedPort()}`;
		const unreachable = {
			...emulator.credential,
			id: UNREACHABLE_CREDENTIAL_ID,
			name: 'Unreachable Defender',
			data: {
				...emulator.credential.data,
				authorityUrl: unreachableUrl,
				defenderApiUrl: unreachableUrl,
				graphApiUrl: unreachableUrl,
				endpointApiUrl: unreachableUrl,
			},
		};
		n8n = await lab.startLabN8n({
			credentials: [emulator.credential, unreachable],
			workflows: [
				workflow,
				unreachableWorkflow(unreachable.name),
				showcaseWorkflow(),
				...GALLERY.map(({ file, id }) => lab.forImport(lab.loadExample(file), { id })),
			],
			caFile: emulator.emu.caFile,
			ignoreScripts: true, // npm test / npm run test:e2e have just built dist/
			onProgress: progress,
		});

		browser = await lab.launchChromium({ viewport: { width: 1440, height: 900 } });
		context = browser.context;
		context.setDefaultTimeout(30_000);
		context.setDefaultNavigationTimeout(60_000);
		// The editor only needs its own server; anything else (telemetry, fonts, update checks) would
		// wait for the closed network, so it fails at once.
		await context.route(
			(url) => url.origin !== n8n.server.url,
			(route) => {
				blocked.add(new URL(route.request().url()).host);
				return route.abort();
			},
		);
		page = context.pages()[0] ?? (await context.newPage());
		page.on('pageerror', (error) => pageErrors.push(error.message));
		// Leaving a workflow with unsaved edits asks "leave the page?": yes, nothing here is to be saved.
		page.on('dialog', (dialog) => dialog.accept().catch(() => undefined));
		page.on('request', (request) => {
			if (
				/\/rest\/credentials(\/|$)/.test(new URL(request.url()).pathname) &&
				['POST', 'PATCH', 'PUT', 'DELETE'].includes(request.method()) &&
				!request.url().endsWith('/credentials/test')
			) {
				credentialWrites.push(`${request.method()} ${request.url()}`);
			}
		});

		await page.goto(`${n8n.server.url}/signin`);
		await page.locator('input[name="emailOrLdapLoginId"]').fill(n8n.owner.email);
		await page.locator('input[type="password"]').fill(n8n.owner.password);
		await page.keyboard.press('Enter');
		await page.waitForURL((url) => !url.pathname.startsWith('/signin'), { timeout: 30_000 });
		progress(`signed in at ${page.url()} (${seconds()})`);
	}, 25 * MINUTE);

	afterAll(async () => {
		if (blocked.size) progress(`requests blocked (not n8n's server): ${[...blocked].join(', ')}`);
		if (pageErrors.length) progress(`page errors: ${pageErrors.slice(0, 5).join(' | ')}`);
		await browser?.close().catch((error: Error) => progress(`closing Chromium: ${error.message}`));
		await n8n?.stop({ keep: process.env.DEFENDER_E2E_KEEP === '1' });
		await emulator?.emu.stop();
	}, MINUTE);

	it(
		'canvas: the workflow shows the Defender nodes with their own icon',
		async () => {
			await shot('canvas', async () => {
				await openWorkflow();
				for (const name of DEFENDER_NODES) {
					const node = canvasNode(name);
					await expect(node.getAttribute('data-node-type')).resolves.toMatch(
						new RegExp(`^${PACKAGE}\\.microsoftDefender(Trigger)?$`),
					);
					await expect(node.innerText()).resolves.toContain(name);
					// The package's SVG, loaded — not n8n's grey "?" for a node type without an icon.
					const icon = node.locator(`img[src="${NODE_ICON}"]`);
					await expect(icon.count()).resolves.toBe(1);
					await expect(icon.evaluate(loaded)).resolves.toBe(true);
				}
				const svg = await page.request.get(`${n8n.server.url}${NODE_ICON}`);
				expect(svg.status()).toBe(200);
				expect(svg.headers()['content-type']).toMatch(/^image\/svg\+xml/);
				expect(await svg.text()).toMatch(/<svg[\s>]/);
				// The subtitles the node description computes from operation and resource.
				await expect(canvasNode('Set In Progress').innerText()).resolves.toContain(
					'update: Incident',
				);
				await expect(canvasNode('Hunt Process Events').innerText()).resolves.toContain(
					'run: Advanced Hunting',
				);
				await page.mouse.move(5, 895); // no hover toolbar in the picture
			});
		},
		2 * MINUTE,
	);

	it.each(GALLERY)(
		'gallery: $file shows every node, the Defender ones with their own icon',
		async ({ file, id }) => {
			const example = lab.loadExample(file) as { nodes: Array<{ name: string; type: string }> };
			const drawn = example.nodes.filter((node) => node.type !== 'n8n-nodes-base.stickyNote');
			await shot(`gallery-${file.replace(/\.json$/, '')}`, async () => {
				await openWorkflow(id, drawn[0].name);
				for (const node of drawn) {
					await expect(canvasNode(node.name).count()).resolves.toBe(1);
					if (node.type === `${PACKAGE}.microsoftDefender`)
						await expect(
							canvasNode(node.name).locator(`img[src="${NODE_ICON}"]`).evaluate(loaded),
						).resolves.toBe(true);
				}
				await page.mouse.move(5, 895);
			});
		},
		2 * MINUTE,
	);

	it(
		'parameter panel: API, Resource and the incident operations',
		async () => {
			await shot('node-operations', async () => {
				await openNode('Set In Progress');
				const ndv = page.locator('[data-test-id="ndv"]');
				await expect(
					ndv.locator('[data-test-id="node-title-container"]').innerText(),
				).resolves.toContain('Set In Progress');
				await expect(ndv.locator(`header img[src="${NODE_ICON}"]`).count()).resolves.toBe(1);
				await expect(
					ndv.locator('[data-test-id="node-credentials-select"] input').inputValue(),
				).resolves.toBe(lab.CREDENTIAL_NAME);
				await expect(
					ndv.locator('[data-test-id="parameter-input-api"] input').inputValue(),
				).resolves.toBe('Microsoft Graph Security');
				await expect(
					ndv.locator('[data-test-id="parameter-input-resource"] input').inputValue(),
				).resolves.toBe('Incident');
				await expect(
					ndv.locator('[data-test-id="parameter-input-operation"] input').inputValue(),
				).resolves.toBe('Update');

				const resources = await openDropdown('resource');
				// n8n appends "Custom API Call" (an HTTP Request signed by this credential) to Resource and Operation.
				// Sorted by the names the editor shows; the resource saved as machineAction reads Action Center.
				expect(resources).toEqual([
					'Action Center',
					'Advanced Hunting',
					'Alert',
					'Device',
					'Domain',
					'Exposure Score',
					'File',
					'Incident',
					'Indicator',
					'Investigation',
					'IP',
					'Live Response Library',
					'Recommendation',
					'Software',
					'User',
					'Vulnerability',
					'Custom API Call',
				]);
				await closeDropdown();

				const operations = await openDropdown('operation');
				expect(operations).toEqual([
					'Add Comment',
					'Get',
					'Get Entities',
					'Get Many',
					'Update',
					'Custom API Call',
				]);
				const descriptions = await page
					.locator('.el-select-dropdown__item:visible .option-description')
					.allInnerTexts();
				// A write says so here: its action (n8n's name for a new node) stays short.
				expect(descriptions.slice(0, 5)).toEqual([
					'Add a comment to an incident. Changes state.',
					'Get an incident by ID',
					'Devices, users, files, IPs, URLs and more of all alerts of an incident, one item each',
					'List incidents, filtered',
					'Change status, assignment, classification, tags; add a comment. Changes state.',
				]);
				await page.mouse.move(5, 895);
			});
			await closeDropdown();
		},
		2 * MINUTE,
	);

	it(
		'Get Entities and the chat message option in the node panel',
		async () => {
			await shot('node-get-entities', async () => {
				await openNode('Devices');
				const ndv = page.locator('[data-test-id="ndv"]');
				await expect(
					ndv.locator('[data-test-id="parameter-input-operation"] input').inputValue(),
				).resolves.toBe('Get Entities');
				await expect(
					ndv.locator('[data-test-id="parameter-input-entitySource"] input').inputValue(),
				).resolves.toBe('Input Item');
				await expect(ndv.innerText()).resolves.toContain('Entity Types');
				const kinds = await openDropdown('entityTypes');
				expect(kinds).toEqual([
					'Cloud App',
					'Device',
					'Domain',
					'Email Message',
					'File',
					'IP Address',
					'Mailbox',
					'Other',
					'Process',
					'Registry',
					'URL',
					'User',
				]);
				await page.mouse.move(5, 895);
			});
			await closeDropdown();
			await shot('trigger-chat-message', async () => {
				await openNode('New High/Medium Incident', { parameter: 'chatMessageFormat' });
				const ndv = page.locator('[data-test-id="ndv"]');
				await expect(
					ndv.locator('[data-test-id="parameter-input-chatMessageFormat"] input').inputValue(),
				).resolves.toBe('Slack (Block Kit)');
				const formats = await openDropdown('chatMessageFormat');
				// Sorted by label, as every list in the node; Slack stays the default.
				expect(formats).toEqual([
					'Markdown',
					'Microsoft Teams (Adaptive Card)',
					'Slack (Block Kit)',
				]);
				await page.mouse.move(5, 895);
			});
			await closeDropdown();
		},
		3 * MINUTE,
	);

	it(
		'credential dialog: Test says the connection works; the test answer is "Connected — granted: …"',
		async () => {
			await shot('credential-test', async () => {
				await openNode('Set In Progress');
				// n8n tests a saved credential as soon as its dialog opens; then the button is "Retry".
				const opened = waitForCredentialTest();
				await page.locator('[data-test-id="ndv"] [data-test-id="credential-edit-button"]').click();
				const dialog = page.locator('[data-test-id="credential-edit-dialog"]');
				await dialog.waitFor({ state: 'visible' });
				expect(await credentialTestAnswer(await opened)).toMatchObject({ status: 'OK' });

				// The dialog's header (name and credential type) sits outside its test id, in the same modal.
				const modal = page.locator('.el-dialog', { has: dialog });
				await expect(modal.innerText()).resolves.toMatch(
					/^Microsoft Defender account\s+Microsoft Defender API\s+Save/,
				);
				await expect(
					dialog.locator(`img[src="${CREDENTIAL_ICON}"]`).evaluate(loaded),
				).resolves.toBe(true);
				await expect(
					dialog.locator('[data-test-id="parameter-input-cloud"] input').inputValue(),
				).resolves.toBe('Custom Endpoints');
				await expect(
					dialog.locator('[data-test-id="parameter-input-authorityUrl"] input').inputValue(),
				).resolves.toBe(emulator.emu.authorityUrl);

				const success = dialog.locator(
					'[data-test-id="credentials-config-container-test-success"]',
				);
				const tested = waitForCredentialTest();
				await success.getByRole('button', { name: 'Retry' }).click();
				const answer = await credentialTestAnswer(await tested);
				// What the credential's test returned to the dialog…
				expect(answer.status).toBe('OK');
				expect(answer.message).toMatch(/^Connected — granted: /);
				expect(answer.message).toContain(
					'Microsoft Graph security API: SecurityIncident.ReadWrite.All, ThreatHunting.Read.All',
				);
				expect(answer.message).toContain(
					'Defender XDR API: Incident.ReadWrite.All, AdvancedHunting.Read.All',
				);
				// …and what the dialog shows for it: n8n 2.41 replaces a successful test's message with its own text.
				await success.waitFor({ state: 'visible' });
				await expect(success.innerText()).resolves.toMatch(/^Connection tested successfully/);
				await expect(
					dialog.locator('[data-test-id="credentials-config-container-test-error"]').count(),
				).resolves.toBe(0);
				await page.mouse.move(5, 895);
			});
		},
		2 * MINUTE,
	);

	it(
		'credential dialog: a wrong client secret (unsaved) → Retry shows the plain-words reason',
		async () => {
			const dialog = page.locator('[data-test-id="credential-edit-dialog"]');
			if (!(await dialog.isVisible())) {
				await openNode('Set In Progress');
				const opened = waitForCredentialTest();
				await page.locator('[data-test-id="ndv"] [data-test-id="credential-edit-button"]').click();
				await opened;
			}
			await dialog
				.locator('[data-test-id="parameter-input-clientSecret"] input')
				.fill('not-the-secret');
			const tested = waitForCredentialTest();
			await dialog.getByRole('button', { name: 'Retry' }).click();
			const answer = await credentialTestAnswer(await tested);
			expect(answer.status).toBe('Error');
			await dialog
				.getByText('Couldn’t connect with these settings')
				.waitFor({ state: 'visible', timeout: 10_000 });
			await dialog.getByText('More details').click();
			await dialog
				.getByText('The client secret is wrong', { exact: false })
				.waitFor({ state: 'visible', timeout: 10_000 });
			await expect(dialog.innerText()).resolves.not.toContain('not-the-secret');
			// Retry tested the edited fields without saving them: the stored credential keeps the right secret.
			expect(credentialWrites).toEqual([]);
		},
		2 * MINUTE,
	);

	it(
		'credential dialog: Protected Devices and Accounts show under the fields which requests they cover, the HTTP Request node included',
		async () => {
			await shot('credential-protection', async () => {
				await openNode('Set In Progress');
				await page.locator('[data-test-id="ndv"] [data-test-id="node-credentials-select"]').click();
				await page.locator('[data-test-id="node-credentials-select-item-new"]').click();
				const dialog = page.locator('[data-test-id="credential-edit-dialog"]');
				await dialog.waitFor({ state: 'visible' });
				await dialog
					.locator('[data-test-id="parameter-input-protectedAccounts"]')
					.scrollIntoViewIfNeeded();
				await settle();
				// The rules are in the visible hint, not only in the tooltip.
				const text = await dialog.innerText();
				expect(text).toContain(
					'Holds for every request made with this credential, the HTTP Request node included',
				);
				expect(text).toContain(
					'Release From Isolation, Remove App Restriction and Add Tag stay allowed',
				);
				expect(text).toMatch(/Disable, Enable, Force Password Reset, .* are refused before/);
				await page.mouse.move(5, 895);
			});
			await page.keyboard.press('Escape');
			await page
				.locator('[data-test-id="credential-edit-dialog"]')
				.waitFor({ state: 'hidden', timeout: 10_000 })
				.catch(() => undefined);
			expect(credentialWrites).toEqual([]);
		},
		2 * MINUTE,
	);

	it(
		'credential dialog, new credential at 1440×900: Global with a client secret shows the notice and every required field without scrolling',
		async () => {
			await shot('credential-new', async () => {
				await openNode('Set In Progress');
				await page.locator('[data-test-id="ndv"] [data-test-id="node-credentials-select"]').click();
				await page.locator('[data-test-id="node-credentials-select-item-new"]').click();
				const dialog = page.locator('[data-test-id="credential-edit-dialog"]');
				await dialog.waitFor({ state: 'visible' });
				await settle();
				await expect(
					dialog.locator('[data-test-id="parameter-input-cloud"] input').inputValue(),
				).resolves.toBe('Global (Commercial)');
				// The short notice links to the README's permission tables.
				await expect(
					dialog.getByRole('link', { name: 'which permissions each operation needs' }).count(),
				).resolves.toBe(1);
				// In the dialog's order, the required fields before the optional and advanced ones.
				const order = await dialog
					.locator('[data-test-id^="parameter-input-"]')
					.evaluateAll((inputs) =>
						inputs.map((input) =>
							input.getAttribute('data-test-id')?.replace('parameter-input-', ''),
						),
					);
				const own = new Set(new MicrosoftDefenderApi().properties.map(({ name }) => name));
				expect(order.filter((name) => own.has(name ?? '') && !name?.endsWith('Notice'))).toEqual([
					'cloud',
					'tenantId',
					'clientId',
					'authentication',
					'clientSecret',
					'protectedDevices',
					'protectedAccounts',
					'quotaProcesses',
				]);
				for (const name of ['tenantId', 'clientId', 'authentication', 'clientSecret']) {
					const input = dialog.locator(`[data-test-id="parameter-input-${name}"]`);
					// Seen without scrolling: the field's middle is inside the window and nothing covers it.
					expect({ name, visible: await input.evaluate(visibleAtItsCentre) }).toEqual({
						name,
						visible: true,
					});
				}
				// n8n marks a required field with an asterisk after its label.
				const text = await dialog.innerText();
				for (const label of ['Cloud', 'Tenant ID', 'Client ID', 'Authentication', 'Client Secret'])
					expect(text).toMatch(new RegExp(`\\n${label}\\s*\\*`));
				await page.mouse.move(5, 895);
			});
			await page.keyboard.press('Escape');
			await page
				.locator('[data-test-id="credential-edit-dialog"]')
				.waitFor({ state: 'hidden', timeout: 10_000 })
				.catch(() => undefined);
			expect(credentialWrites).toEqual([]);
		},
		2 * MINUTE,
	);

	it(
		'parameter panel: Resource then API, Simplify before Update Fields; Determination lists only what fits the Classification',
		async () => {
			await page.goto(`${n8n.server.url}/workflow/${WORKFLOW_ID}`);
			await shot('node-determination', async () => {
				await openNode('Set In Progress');
				const ndv = page.locator('[data-test-id="ndv"]');
				const top = async (name: string) =>
					(await ndv.locator(`[data-test-id="parameter-input-${name}"]`).boundingBox())?.y ?? -1;
				const rows = [
					await top('resource'),
					await top('api'),
					await top('operation'),
					await top('incidentId'),
					await top('simplify'),
				];
				expect(rows.every((y) => y >= 0)).toBe(true);
				expect([...rows].sort((a, b) => a - b)).toEqual(rows);
				// The Update Fields collection's "Add Field" (the Options collection's is "Add Option").
				const addToUpdateFields = ndv.locator('[data-test-id="collection-parameter-add"]').first();
				await expect(addToUpdateFields.locator('input').getAttribute('placeholder')).resolves.toBe(
					'Add Field',
				);
				expect((await addToUpdateFields.boundingBox())?.y ?? -1).toBeGreaterThan(
					rows[rows.length - 1],
				);

				await addField(addToUpdateFields, 'Classification');
				const classification = ndv.locator('[data-test-id="parameter-input-classification"]');
				// Added, it reads Unknown: a field left as it is reports no attack.
				await expect(classification.locator('input').inputValue()).resolves.toBe('Unknown');
				await classification.click();
				await page
					.locator('.el-select-dropdown__item:visible', { hasText: 'False Positive' })
					.click();
				await addField(addToUpdateFields, 'Determination');
				const determinations = await openDropdown('determination');
				expect(determinations).toEqual([
					'Not Available',
					'Not Enough Data to Validate',
					'Not Malicious',
					'Other',
				]);
				await page.mouse.move(5, 895);
			});
			await closeDropdown();
		},
		3 * MINUTE,
	);

	it(
		'error panel: a node whose endpoints cannot be reached says so in one short line, the cause code and endpoint in the details, no library internals',
		async () => {
			await shot('error-unreachable', async () => {
				await openWorkflow(UNREACHABLE_WORKFLOW_ID, UNREACHABLE_NODE);
				await page.locator('[data-test-id="execute-workflow-button"]').click();
				// n8n's toast for the failed run: the node's headline, not the whole story.
				const toast = page.locator('.el-notification').first();
				await toast.waitFor({ state: 'visible', timeout: 90_000 });
				const toastText = await toast.innerText();
				await openNode(UNREACHABLE_NODE, { workflowId: UNREACHABLE_WORKFLOW_ID });
				const ndv = page.locator('[data-test-id="ndv"]');
				const message = ndv.locator('[data-test-id="node-error-message"]');
				await message.waitFor({ state: 'visible', timeout: 30_000 });
				const headline = (await message.innerText()).trim();
				expect(headline).toMatch(
					new RegExp(
						`^Could not reach Entra ID at ${new URL(unreachableUrl).host}: connection refused\\. `,
					),
				);
				expect(headline.length).toBeLessThan(200);
				const description = await ndv
					.locator('[data-test-id="node-error-description"]')
					.innerText();
				expect(description).toContain('ECONNREFUSED');
				expect(description).toContain(`${unreachableUrl}/`);
				const panel = await ndv.innerText();
				for (const internal of [
					'additionalErrorInfo',
					'error.name',
					'TypeError',
					'fetch failed',
					'network_error',
					'Refusing to send a token',
				]) {
					expect(panel).not.toContain(internal);
					expect(toastText).not.toContain(internal);
				}
				// Said once: the headline is not repeated in the description.
				expect(panel.split(headline)).toHaveLength(2);
				expect(description).not.toContain(headline);
				expect(toastText.length).toBeLessThan(400);
				await page.mouse.move(5, 895);
			});
		},
		3 * MINUTE,
	);

	it(
		"nodes panel: the node's actions are grouped under the Resource list's names (Action Center, not Machine Action)",
		async () => {
			await shot('nodes-panel', async () => {
				await openWorkflow();
				await page.locator('[data-test-id="node-creator-plus-button"]').click();
				await page.locator('[data-test-id="node-creator-search-bar"]').fill('Microsoft Defender');
				await page
					.locator('[data-test-id="node-creator-item-name"]')
					.getByText('Microsoft Defender', { exact: true })
					.click();
				const panel = page.locator('[data-test-id="node-creator"]');
				await panel
					.getByText('Action Center Actions')
					.waitFor({ state: 'visible', timeout: 10_000 });
				await settle();
				// textContent: n8n shows the group titles in capitals by CSS only.
				const text = (await panel.textContent()) ?? '';
				for (const group of ['Action Center Actions', 'Device Actions', 'Incident Actions'])
					expect(text).toContain(group);
				expect(text).not.toMatch(/Machine Action Actions/i);
				// n8n names a node added from here after its action: short, no "changes state".
				expect(text).toContain('Run live response on a device');
				expect(text).toContain('Isolate a device');
				expect(text).not.toMatch(/changes state/i);
				await page.mouse.move(5, 895);
			});
			await page.keyboard.press('Escape');
		},
		2 * MINUTE,
	);

	it(
		'Run Live Response: one group per command type, each library name picked from a list',
		async () => {
			await shot('node-live-response', async () => {
				await openNode(LIVE_RESPONSE_NODE, {
					parameter: 'comment',
					workflowId: SHOWCASE_WORKFLOW_ID,
				});
				const ndv = page.locator('[data-test-id="ndv"]');
				const text = await ndv.innerText();
				for (const label of ['Put File', 'Run Script', 'Get File', 'Script Name', 'Arguments'])
					expect(text).toContain(label);
				// One group per type: no Type selector under the fields it controls.
				expect(text).not.toMatch(/\nType\s*\n/);
				expect(text.indexOf('Script Name')).toBeLessThan(text.indexOf('Arguments'));
				await expect(
					ndv.locator('[data-test-id="resource-locator-scriptName"]').count(),
				).resolves.toBe(1);
				await page.mouse.move(5, 895);
			});
		},
		2 * MINUTE,
	);

	it(
		'credential dialog: with Custom Endpoints, the four URLs right below Cloud',
		async () => {
			await openNode('Set In Progress');
			const opened = waitForCredentialTest();
			await page.locator('[data-test-id="ndv"] [data-test-id="credential-edit-button"]').click();
			const dialog = page.locator('[data-test-id="credential-edit-dialog"]');
			await dialog.waitFor({ state: 'visible' });
			await opened;
			const top = async (name: string) =>
				(await dialog.locator(`[data-test-id="parameter-input-${name}"]`).boundingBox())?.y ?? -1;
			const rows = [
				await top('cloud'),
				await top('authorityUrl'),
				await top('endpointApiUrl'),
				await top('tenantId'),
			];
			expect(rows.every((y) => y >= 0)).toBe(true);
			expect([...rows].sort((a, b) => a - b)).toEqual(rows);
			await page.keyboard.press('Escape');
			await page
				.locator('[data-test-id="credential-edit-dialog"]')
				.waitFor({ state: 'hidden', timeout: 10_000 })
				.catch(() => undefined);
			expect(credentialWrites).toEqual([]);
		},
		2 * MINUTE,
	);

	it(
		'hunting template run: a short device name finds its rows; the output shows the query that ran',
		async () => {
			await shot('hunting-template-run', async () => {
				await openNode(TEMPLATE_NODE, {
					parameter: 'template',
					workflowId: SHOWCASE_WORKFLOW_ID,
				});
				const ndv = page.locator('[data-test-id="ndv"]');
				await expect(ndv.innerText()).resolves.toContain('Device Name or ID');
				await ndv.locator('[data-test-id="node-execute-button"]').click();
				const output = ndv.locator('[data-test-id="output-panel"]');
				await output.getByText('rowCount').first().waitFor({ state: 'visible', timeout: 90_000 });
				await settle();
				const shown = await output.innerText();
				expect(shown).toContain('DeviceName startswith');
				expect(shown).toContain('ws-0101.contoso.local');
				await page.mouse.move(5, 895);
			});
		},
		3 * MINUTE,
	);

	// ---- helpers -------------------------------------------------------------------------------------

	/** Manual Trigger → Run Live Response (node version 1.1, not run) and a hunting template (run in the test). */
	function showcaseWorkflow() {
		const credentials = {
			microsoftDefenderApi: { id: CREDENTIAL_ID, name: lab.CREDENTIAL_NAME },
		};
		const library = (value: string) => ({ __rl: true, mode: 'list', value });
		return {
			id: SHOWCASE_WORKFLOW_ID,
			name: 'Live Response and Hunting Template',
			nodes: [
				{
					id: 'showcase-start',
					name: 'Start',
					type: 'n8n-nodes-base.manualTrigger',
					typeVersion: 1,
					position: [0, 0],
					parameters: {},
				},
				{
					id: 'showcase-live-response',
					name: LIVE_RESPONSE_NODE,
					type: `${PACKAGE}.microsoftDefender`,
					typeVersion: 1.1,
					position: [260, -120],
					parameters: {
						resource: 'machine',
						operation: 'runLiveResponse',
						machineId: { __rl: true, mode: 'name', value: 'ws-0101.contoso.local' },
						// The editor shows the groups in the order they were added; the node sends Defender's order.
						commands: {
							putFile: [{ fileName: library('autoruns.exe') }],
							runScript: [{ scriptName: library('collect-triage.ps1'), args: '-Days 7' }],
							getFile: [{ path: 'C:\\Windows\\Temp\\triage.log' }],
						},
						waitForCompletion: true,
					},
					credentials,
				},
				{
					id: 'showcase-hunt',
					name: TEMPLATE_NODE,
					type: `${PACKAGE}.microsoftDefender`,
					typeVersion: 1.1,
					position: [260, 120],
					parameters: {
						resource: 'huntingQuery',
						api: 'graph',
						operation: 'run',
						querySource: 'template',
						template: 'deviceProcessEvents',
						entityValue: 'ws-0101',
						lookBackHours: 168,
						output: 'single',
					},
					credentials,
				},
			],
			connections: {
				Start: {
					main: [
						[
							{ node: LIVE_RESPONSE_NODE, type: 'main', index: 0 },
							{ node: TEMPLATE_NODE, type: 'main', index: 0 },
						],
					],
				},
			},
			settings: {},
		};
	}

	/** Runs in the page (passed to evaluate, so self-contained): an <img> that has loaded a picture; a broken or missing file has no width. */
	function loaded(img: unknown): boolean {
		const { complete, naturalWidth } = img as { complete: boolean; naturalWidth: number };
		return complete && naturalWidth > 0;
	}

	/** A loopback port nothing listens on: taken from the system, then released. */
	async function closedPort(): Promise<number> {
		const server = createServer();
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		const { port } = server.address() as AddressInfo;
		await new Promise((resolve) => server.close(resolve));
		return port;
	}

	/** Runs in the page: the element's middle is inside the window and the element itself is what is there. */
	function visibleAtItsCentre(element: unknown): boolean {
		const target = element as {
			getBoundingClientRect(): { left: number; top: number; width: number; height: number };
			contains(other: unknown): boolean;
			ownerDocument: {
				elementFromPoint(x: number, y: number): unknown;
				defaultView: { innerWidth: number; innerHeight: number };
			};
		};
		const box = target.getBoundingClientRect();
		const x = box.left + box.width / 2;
		const y = box.top + box.height / 2;
		const view = target.ownerDocument.defaultView;
		if (x < 0 || y < 0 || x > view.innerWidth || y > view.innerHeight) return false;
		return target.contains(target.ownerDocument.elementFromPoint(x, y));
	}

	/** Adds a field to a collection (Update Fields, Options) with its "Add Field" list. */
	async function addField(addSelect: ReturnType<Page['locator']>, label: string) {
		await addSelect.click();
		await page
			.locator('[data-test-id="collection-parameter-option"]:visible')
			.filter({ hasText: new RegExp(`^\\s*${label}\\s*$`) })
			.click();
		await settle();
	}

	/** Manual Trigger → Microsoft Defender (Incident → Get Many) with the unreachable credential. */
	function unreachableWorkflow(credentialName: string) {
		return {
			id: UNREACHABLE_WORKFLOW_ID,
			name: 'Unreachable Endpoints',
			nodes: [
				{
					id: 'unreachable-start',
					name: 'Start',
					type: 'n8n-nodes-base.manualTrigger',
					typeVersion: 1,
					position: [0, 0],
					parameters: {},
				},
				{
					id: 'unreachable-defender',
					name: UNREACHABLE_NODE,
					type: `${PACKAGE}.microsoftDefender`,
					typeVersion: 1,
					position: [260, 0],
					parameters: { resource: 'incident', operation: 'getAll', api: 'graph', limit: 1 },
					credentials: {
						microsoftDefenderApi: { id: UNREACHABLE_CREDENTIAL_ID, name: credentialName },
					},
				},
			],
			connections: {
				Start: { main: [[{ node: UNREACHABLE_NODE, type: 'main', index: 0 }]] },
			},
			settings: {},
		};
	}

	function canvasNode(name: string) {
		return page.locator(`[data-test-id="canvas-node"][data-node-name="${name}"]`);
	}

	/**
	 * Shows the workflow's canvas and waits until its nodes are drawn, their icons loaded and the view
	 * still. A loaded editor is reused (a page load costs 10–20 s), an open panel closed with its ×
	 * button; otherwise, or if the panel stays, the page is loaded afresh.
	 */
	async function openWorkflow(workflowId = WORKFLOW_ID, anyNode = 'Set In Progress') {
		const ndv = page.locator('[data-test-id="ndv"]');
		const onWorkflow = new URL(page.url()).pathname.startsWith(`/workflow/${workflowId}`);
		if (onWorkflow && (await ndv.isVisible())) {
			await ndv
				.locator('[data-test-id="ndv-close-button"]')
				.click({ timeout: 5_000 })
				.catch(() => undefined);
			await ndv.waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => undefined);
		}
		if (!onWorkflow || (await ndv.isVisible()))
			await page.goto(`${n8n.server.url}/workflow/${workflowId}`);
		await canvasNode(anyNode).waitFor({ state: 'visible', timeout: 60_000 });
		await settle();
	}

	/** Opens a node's parameter panel (NDV) by double-clicking it on the canvas; ready when `parameter` shows. */
	async function openNode(
		name: string,
		{
			parameter = 'operation',
			workflowId = WORKFLOW_ID,
		}: { parameter?: string; workflowId?: string } = {},
	) {
		await openWorkflow(workflowId, name);
		await canvasNode(name).dblclick();
		await page
			.locator(`[data-test-id="ndv"] [data-test-id="parameter-input-${parameter}"]`)
			.waitFor({ state: 'visible' });
		await settle();
	}

	/** Opens an options parameter's dropdown in the NDV and returns the option names it lists. */
	async function openDropdown(parameter: string): Promise<string[]> {
		await page
			.locator(`[data-test-id="ndv"] [data-test-id="parameter-input-${parameter}"]`)
			.click();
		const items = page.locator('.el-select-dropdown__item:visible .option-headline');
		await items.first().waitFor({ state: 'visible', timeout: 10_000 });
		await settle();
		return await items.allInnerTexts();
	}

	async function closeDropdown() {
		await page.keyboard.press('Escape');
		await page
			.locator('.el-select-dropdown__item:visible')
			.first()
			.waitFor({ state: 'hidden', timeout: 10_000 })
			.catch(() => undefined);
	}

	function waitForCredentialTest(): Promise<Response> {
		return page.waitForResponse(
			(response) =>
				response.url() === `${n8n.server.url}/rest/credentials/test` &&
				response.request().method() === 'POST',
			{ timeout: 60_000 },
		);
	}

	async function credentialTestAnswer(
		response: Response,
	): Promise<{ status: string; message: string }> {
		expect(response.status()).toBe(200);
		return (await response.json()).data;
	}

	/** Web fonts and images loaded, then a few frames for transitions (canvas fit-to-view, dropdowns) to end. */
	async function settle() {
		// A string: the tests are compiled without the DOM types.
		await page.waitForFunction(
			"document.fonts.status === 'loaded' && [...document.images].every((img) => img.complete)",
			undefined,
			{ timeout: 15_000 },
		);
		await page.waitForTimeout(600);
	}

	/** Runs the steps, then saves docs/screenshots/<name>.png; on a failure the picture goes to the temp folder instead. */
	async function shot(name: string, steps: () => Promise<void>) {
		try {
			await steps();
		} catch (error) {
			const file = path.join(os.tmpdir(), `defender-browser-${name}-failed.png`);
			await page.screenshot({ path: file }).catch(() => undefined);
			if (error instanceof Error) error.message += `\n(screenshot of the page: ${file})`;
			throw error;
		}
		fs.mkdirSync(SCREENSHOTS, { recursive: true });
		await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
	}
});
