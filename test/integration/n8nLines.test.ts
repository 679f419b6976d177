import { randomUUID } from 'node:crypto';

import { createLab, runDefender, stopEmulator } from '../support/lab';

afterAll(stopEmulator);

const listIncidents = {
	api: 'graph',
	resource: 'incident',
	operation: 'getAll',
	returnAll: false,
	limit: 5,
};

/**
 * n8n 1.x wraps what a credential's authenticate throws in a NodeApiError that loses the original
 * error (n8n-workflow 1.x resets `cause`); 2.x keeps it. The harness plays either line.
 */
describe.each([1, 2] as const)('sign-in failures as n8n %i.x reports them', (n8nMajor) => {
	it('a wrong client secret is explained (AADSTS7000215) at once, not retried as a network failure', async () => {
		const lab = await createLab();
		const wrong = `Wrong~${randomUUID()}`;
		const started = Date.now();
		const error = await runDefender(lab, listIncidents, {
			credentials: { ...lab.credentials, clientSecret: wrong },
			n8nMajor,
		}).then(
			() => undefined,
			(failure: Error) => failure,
		);
		expect(error?.message).toMatch(/^Sign-in failed \(AADSTS7000215\): The client secret is wrong/);
		expect(error?.message).not.toMatch(/network|attempts/);
		expect(error?.message).not.toContain(wrong);
		// One refused sign-in, no API call, no backoff.
		expect(lab.calls({ api: 'login', status: 401 })).toHaveLength(1);
		expect(lab.calls({ api: 'graph' })).toHaveLength(0);
		expect(Date.now() - started).toBeLessThan(5000);
	});

	it('the right secret still works', async () => {
		const lab = await createLab();
		lab.emulator.seedIncidents(lab.tenantId, 2);
		expect(await runDefender(lab, listIncidents, { n8nMajor })).toHaveLength(2);
		expect(lab.tokenRequests()).toBe(1);
	});
});
