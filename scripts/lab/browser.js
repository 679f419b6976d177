// @ts-check
'use strict';
// A headless Chromium for the browser test (shared/n8n-lab.md §7): Debian's `chromium` package
// (Playwright's own browser download does not work here), driven by the npm package playwright-core.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { ensureDebianPackages } = require('./system');

const CHROMIUM = process.env.DEFENDER_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Flags for a quiet browser on a closed network: without the background-networking ones Chromium
 * keeps calling Google's update, sync and component servers.
 */
const CHROMIUM_ARGS = [
	'--no-sandbox', // the machines run as root
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
	'--disable-dev-shm-usage',
];

/**
 * Makes sure Chromium is installed (Debian's `chromium` with its recommended packages, apt-get as
 * root). Returns the executable's path.
 * @param {{ onProgress?: (message: string) => void }} [options]
 */
async function ensureChromium({ onProgress } = {}) {
	await ensureDebianPackages({
		what: 'Chromium',
		packages: ['chromium'],
		recommends: true,
		missing: () => (fs.existsSync(CHROMIUM) ? [] : [CHROMIUM]),
		alternative: 'set DEFENDER_CHROMIUM to a Chromium executable',
		onProgress,
	});
	return CHROMIUM;
}

/**
 * Starts headless Chromium with a fresh profile in a temporary folder; `close()` stops it and
 * removes the profile.
 * @param {{ viewport?: { width: number, height: number }, timeoutMs?: number }} [options]
 */
async function launchChromium({
	viewport = { width: 1400, height: 900 },
	timeoutMs = 60_000,
} = {}) {
	const { chromium } = require('playwright-core');
	const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'defender-chromium-'));
	try {
		const context = await chromium.launchPersistentContext(profile, {
			executablePath: CHROMIUM,
			headless: true,
			args: CHROMIUM_ARGS,
			viewport,
			timeout: timeoutMs,
		});
		return {
			context,
			async close() {
				try {
					await context.close();
				} finally {
					fs.rmSync(profile, { recursive: true, force: true });
				}
			},
		};
	} catch (error) {
		fs.rmSync(profile, { recursive: true, force: true });
		throw error;
	}
}

module.exports = { ensureChromium, launchChromium, CHROMIUM, CHROMIUM_ARGS };
