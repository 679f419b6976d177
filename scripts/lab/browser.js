// @ts-check
'use strict';
// A headless Chromium for the browser test (shared/n8n-lab.md §7): Debian's `chromium` package
// (Playwright's own browser download does not work here), driven by the npm package playwright-core.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { run } = require('./proc');

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
 * Makes sure Chromium is installed: nothing to do when `/usr/bin/chromium` exists, else
 * `apt-get update` and `apt-get install -y chromium` (needs root). Returns the executable's path.
 * @param {{ onProgress?: (message: string) => void }} [options]
 */
async function ensureChromium({ onProgress = () => {} } = {}) {
	if (fs.existsSync(CHROMIUM)) return CHROMIUM;
	if (typeof process.getuid === 'function' && process.getuid() !== 0) {
		throw new Error(`Chromium is not installed (${CHROMIUM} is missing) and installing it needs root: run  sudo apt-get install -y chromium  (Debian/Ubuntu), or set DEFENDER_CHROMIUM to a Chromium executable.`);
	}
	const started = Date.now();
	const seconds = () => `${Math.round((Date.now() - started) / 1000)} s`;
	const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
	onProgress('Chromium: apt-get update');
	// Another apt-get (a second test run, another lab helper) may hold the locks for a while: wait for it.
	for (let attempt = 1; ; attempt++) {
		try {
			await run('apt-get', ['-o', 'DPkg::Lock::Timeout=300', 'update'], { env, timeoutMs: 5 * 60_000, heartbeat: () => onProgress(`      still updating the package lists… ${seconds()}`) });
			break;
		} catch (error) {
			if (attempt >= 10 || !/Could not get lock/i.test(String(error))) throw error;
			onProgress(`      the package lists are locked by another apt-get; trying again in 15 s`);
			await new Promise((resolve) => setTimeout(resolve, 15_000));
		}
	}
	onProgress(`Chromium: apt-get install -y chromium (${seconds()} so far)`);
	await run('apt-get', ['-o', 'DPkg::Lock::Timeout=300', 'install', '-y', 'chromium'], {
		env,
		timeoutMs: 15 * 60_000,
		heartbeat: () => onProgress(`      still installing chromium… ${seconds()}`),
	});
	if (!fs.existsSync(CHROMIUM)) throw new Error(`apt-get install chromium finished but ${CHROMIUM} is missing`);
	onProgress(`Chromium: installed in ${seconds()}`);
	return CHROMIUM;
}

/**
 * Starts headless Chromium with a fresh profile in a temporary folder; `close()` stops it and
 * removes the profile.
 * @param {{ viewport?: { width: number, height: number }, timeoutMs?: number }} [options]
 */
async function launchChromium({ viewport = { width: 1400, height: 900 }, timeoutMs = 60_000 } = {}) {
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
