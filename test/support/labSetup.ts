/**
 * Jest globalSetup of the real-n8n suites (npm run e2e, npm run scale): n8n installed into the lab
 * cache once per run, before any test file starts. A failed install stops the run here, once, with
 * its cause and what to do, instead of each test file trying again.
 */
import * as lab from '../../scripts/lab';

export default async function labSetup(): Promise<void> {
	const started = Date.now();
	const progress = (message: string) => process.stderr.write(`[lab] ${message}\n`);
	await lab.ensureN8n({ onProgress: progress });
	progress(`n8n ready (${Math.round((Date.now() - started) / 1000)} s)`);
}
