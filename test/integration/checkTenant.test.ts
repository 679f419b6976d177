/**
 * `npm run check:tenant` against the emulator, as CI runs it: the script is started as a user would
 * (its own process, DEFENDER_* variables, Custom cloud), reads every read operation once and reports
 * no drift, because the emulator answers as Microsoft's contracts say; nothing secret or identifying
 * is printed, and nothing is written.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';

import { emulator, stopEmulator } from '../support/lab';

const ROOT = path.join(__dirname, '..', '..');

function checkTenant(
	env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, [path.join(ROOT, 'scripts', 'check-tenant.js')], {
			cwd: ROOT,
			env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
		});
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
		child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
		const timer = setTimeout(() => child.kill('SIGKILL'), 150_000);
		child.on('error', reject);
		child.on('exit', (code) => {
			clearTimeout(timer);
			resolve({ code, stdout, stderr });
		});
	});
}

afterAll(stopEmulator);

describe('npm run check:tenant', () => {
	it('reads each operation once through dist/, finds no drift against the emulator, prints nothing identifying, writes nothing', async () => {
		const emu = await emulator();
		const demo = emu.seedDemo();
		const before = emu.requests.length;
		const { code, stdout, stderr } = await checkTenant({
			NODE_EXTRA_CA_CERTS: emu.caFile,
			DEFENDER_CLOUD: 'custom',
			DEFENDER_TENANT_ID: demo.tenantId,
			DEFENDER_CLIENT_ID: demo.clientId,
			DEFENDER_CLIENT_SECRET: demo.clientSecret,
			DEFENDER_AUTHORITY_URL: emu.authorityUrl,
			DEFENDER_XDR_API_URL: emu.defenderApiUrl,
			DEFENDER_GRAPH_API_URL: emu.graphApiUrl,
			DEFENDER_ENDPOINT_API_URL: emu.endpointApiUrl,
			DEFENDER_QUOTA_WINDOW_SECONDS: '1',
			DEFENDER_CHECK_DEADLINE_MS: '140000',
		});
		expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
		expect(stdout.startsWith('### check:tenant report\n')).toBe(true);
		for (const read of [
			'| Incident → Get Many (Defender XDR API) | Defender XDR API | incident.list | checked | 3 |',
			'| Incident → Get Many (Graph) | Microsoft Graph | incident.list | checked | 3 |',
			'| Alert → Get Many (Defender for Endpoint API) | Defender for Endpoint API | alert.list | checked | 3 |',
			'| Alert → Get Many (Graph) | Microsoft Graph | alert.list | checked | 3 |',
			'| Advanced Hunting → Run Query (Graph) | Microsoft Graph | (reshaped by the node) | answered |',
			'| Device → Get Many | Defender for Endpoint API | machine.list | checked | 3 |',
			'| Exposure Score → Get | Defender for Endpoint API | exposureScore.get | checked | 1 |',
		])
			expect(stdout).toContain(read);
		expect(stdout).toContain(
			"**Drift** (fields or enum values Microsoft's contract does not list): none",
		);
		for (const secret of [demo.tenantId, demo.clientId, demo.clientSecret, '127.0.0.1'])
			expect(stdout).not.toContain(secret);
		const sent = emu.requests.slice(before).filter((request) => request.api !== 'login');
		expect(sent.length).toBeGreaterThanOrEqual(14);
		expect(
			sent.filter((request) => request.method !== 'GET' && !/runHuntingQuery$/.test(request.path)),
		).toEqual([]);
	}, 160_000);

	it('says which variable is missing, and stops', async () => {
		const { code, stderr, stdout } = await checkTenant({
			DEFENDER_CLIENT_ID: 'x',
			DEFENDER_CLIENT_SECRET: 'y',
		});
		expect(code).toBe(2);
		expect(stdout).toBe('');
		expect(stderr).toContain('DEFENDER_TENANT_ID is not set.');
	}, 60_000);
});
