import { createLab, pollTrigger, stopEmulator } from '../support/lab';
afterAll(stopEmulator);
it('probe', async () => {
	const lab = await createLab();
	for (let i = 0; i < 120; i++) lab.emulator.createIncident(lab.tenantId, { lastUpdateTime: Date.now() - 60_000 * (1 + i / 10), createdTime: Date.now() - 3_600_000 });
	const staticData = {};
	const r = await pollTrigger(lab, { api: 'graph', event: 'incidentUpdated', filters: {}, options: { overlapMinutes: 10, backfillFrom: new Date(Date.now() - 3_600_000).toISOString() }, simplify: false }, staticData);
	console.log(r.result?.[0].length, JSON.stringify(staticData).slice(0, 300));
	const raw = require('node:util').inspect(lab.calls({ api: 'graph' }).map((c) => c.query), { depth: 3 });
	console.log(raw);
});
