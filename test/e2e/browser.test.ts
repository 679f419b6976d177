/**
 * The n8n editor as a person sees it, in headless Chromium driven by playwright-core: the packed
 * package in a real n8n 2.41.1 (the demo's set-up: emulator seeded with the demo tenant, the
 * credential and the triage example imported), signed in at /signin, then the canvas, a Microsoft
 * Defender node's parameter panel and the credential dialog with its Test (Retry) button.
 *
 * Screenshots (1400×900) are written to docs/screenshots/ on every run; the README shows them.
 * Runs with the other real-n8n tests (`npm run e2e`, DEFENDER_E2E=1). The first run installs
 * Debian's chromium with apt-get (needs root) and n8n into ~/.cache.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { BrowserContext, Page, Response } from 'playwright-core';

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

	beforeAll(async () => {
		const started = Date.now();
		const seconds = () => `${Math.round((Date.now() - started) / 1000)} s`;
		await lab.ensureChromium({ onProgress: progress });
		emulator = await lab.startDemoEmulator({ latencyMs: [0, 0], credentialId: CREDENTIAL_ID });
		const workflow = lab.forImport(lab.loadExample('incident-triage.json'), { id: WORKFLOW_ID });
		n8n = await lab.startLabN8n({
			credentials: [emulator.credential],
			workflows: [workflow],
			caFile: emulator.emu.caFile,
			ignoreScripts: true, // npm test / npm run test:e2e have just built dist/
			onProgress: progress,
		});

		browser = await lab.launchChromium({ viewport: { width: 1400, height: 900 } });
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
					'update: incident',
				);
				await expect(canvasNode('Hunt Process Events').innerText()).resolves.toContain(
					'run: huntingQuery',
				);
				await page.mouse.move(5, 895); // no hover toolbar in the picture
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
				expect(resources).toEqual([
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
					'Machine Action',
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
				expect(descriptions.slice(0, 5)).toEqual([
					'Add a comment to an incident',
					'Get an incident by ID',
					'Devices, users, files, IPs, URLs and more of all alerts of an incident, one item each',
					'List incidents, filtered',
					'Change status, assignment, classification, tags; add a comment',
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
				await openNode('New High/Medium Incident', 'chatMessageFormat');
				const ndv = page.locator('[data-test-id="ndv"]');
				await expect(
					ndv.locator('[data-test-id="parameter-input-chatMessageFormat"] input').inputValue(),
				).resolves.toBe('Slack (Block Kit)');
				const formats = await openDropdown('chatMessageFormat');
				expect(formats).toEqual([
					'Slack (Block Kit)',
					'Microsoft Teams (Adaptive Card)',
					'Markdown',
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

	// ---- helpers -------------------------------------------------------------------------------------

	/** Runs in the page (passed to evaluate, so self-contained): an <img> that has loaded a picture; a broken or missing file has no width. */
	function loaded(img: unknown): boolean {
		const { complete, naturalWidth } = img as { complete: boolean; naturalWidth: number };
		return complete && naturalWidth > 0;
	}

	function canvasNode(name: string) {
		return page.locator(`[data-test-id="canvas-node"][data-node-name="${name}"]`);
	}

	/**
	 * Shows the workflow's canvas and waits until its nodes are drawn, their icons loaded and the view
	 * still. A loaded editor is reused (a page load costs 10–20 s), an open panel closed with its ×
	 * button; otherwise, or if the panel stays, the page is loaded afresh.
	 */
	async function openWorkflow() {
		const ndv = page.locator('[data-test-id="ndv"]');
		const onWorkflow = new URL(page.url()).pathname.startsWith(`/workflow/${WORKFLOW_ID}`);
		if (onWorkflow && (await ndv.isVisible())) {
			await ndv
				.locator('[data-test-id="ndv-close-button"]')
				.click({ timeout: 5_000 })
				.catch(() => undefined);
			await ndv.waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => undefined);
		}
		if (!onWorkflow || (await ndv.isVisible()))
			await page.goto(`${n8n.server.url}/workflow/${WORKFLOW_ID}`);
		await canvasNode('Set In Progress').waitFor({ state: 'visible', timeout: 60_000 });
		await settle();
	}

	/** Opens a node's parameter panel (NDV) by double-clicking it on the canvas; ready when `parameter` shows. */
	async function openNode(name: string, parameter = 'operation') {
		await openWorkflow();
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
