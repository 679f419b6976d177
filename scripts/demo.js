#!/usr/bin/env node
// @ts-check
'use strict';
// npm run demo: this package in a real n8n, against the Defender emulator, on this machine only.
//   1. the emulator (a demo tenant, app and sample incidents) and a local chat-webhook sink
//   2. n8n 2.41.1 (installed once into ~/.cache, a few minutes the first time) with the package
//      packed and installed as a community package, an owner account, the credential and the
//      example workflows imported
//   3. the triage example run once (its Manual Trigger variant, headless): what reached the chat and
//      what changed on the incidents is printed
//   4. n8n stays up at the printed URL until Ctrl+C; everything started here stops on exit.
// DEMO_EXIT_AFTER_RUN=1 exits after step 3 (for automated checks). DEMO_PORT picks n8n's port.
const lab = require('./lab');

const say = (/** @type {string} */ message = '') => process.stdout.write(`${message}\n`);
const step = (/** @type {string} */ message) => say(`\n▶ ${message}`);

/** @type {Array<() => Promise<unknown> | unknown>} */
const cleanups = [];
let stopping = false;
async function shutdown(/** @type {number} */ code) {
	if (stopping) return;
	stopping = true;
	for (const cleanup of cleanups.reverse()) {
		try {
			await cleanup();
		} catch (error) {
			process.stderr.write(`cleanup: ${error instanceof Error ? error.message : String(error)}\n`);
		}
	}
	process.exit(code);
}
for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) {
	process.on(signal, () => {
		say(`\n${signal}: stopping n8n, the emulator and the chat sink…`);
		void shutdown(0);
	});
}

async function main() {
	const started = Date.now();
	say(
		'Microsoft Defender for n8n — demo (everything runs locally, against an emulator of the Microsoft APIs)',
	);

	step('Starting the Defender emulator and a chat-webhook sink');
	const { emu, demo, credential } = await lab.startDemoEmulator({ latencyMs: [20, 80] }); // tenant contoso.example, an app with every permission, 25 incidents
	cleanups.push(() => emu.stop());
	const sink = await lab.startChatSink();
	cleanups.push(() => sink.stop());
	const newSince = new Date(Date.now() - 1000).toISOString();
	// Fresh incidents on devices the emulator's hunting tables know (ws-0101, ws-0102, srv-db01).
	const fresh = [
		emu.createIncident(demo.tenantId, {
			title: 'Ransomware behavior detected on ws-0101',
			severity: 'High',
			devices: ['ws-0101.contoso.local'],
		}),
		emu.createIncident(demo.tenantId, {
			title: 'Credential dumping from LSASS on a server',
			severity: 'Medium',
			devices: ['srv-db01.contoso.local', 'ws-0102.contoso.local'],
		}),
		emu.createIncident(demo.tenantId, {
			title: 'Potentially unwanted application',
			severity: 'Low',
			devices: ['ws-0102.contoso.local'],
		}),
	];
	say(
		`  emulator ${emu.url} — tenant ${demo.tenantDomain} (${demo.tenantId}), ${emu.listIncidents(demo.tenantId).length} incidents`,
	);
	say(`  new: ${fresh.map((incident) => `#${incident.id} ${incident.severity}`).join(', ')}`);
	say(`  chat sink ${sink.url}`);

	step('Starting n8n with this package, the credential and the example workflows');
	say('  (first time: Node 24 + n8n 2.41.1 are installed into the cache, a few minutes)');
	const triage = lab.loadExample('incident-triage.json');
	const workflows = [
		lab.forImport(triage, { id: 'DemoTriage000001', webhookUrl: sink.urlFor('triage') }),
		lab.forImport(lab.loadExample('daily-digest.json'), {
			id: 'DemoDigest000001',
			webhookUrl: sink.urlFor('digest'),
		}),
		lab.forImport(lab.loadExample('hunting-report.json'), {
			id: 'DemoReport000001',
			webhookUrl: sink.urlFor('report'),
		}),
		lab.forImport(lab.loadExample('respond-to-incident.json'), {
			id: 'DemoRespond00001',
			webhookUrl: sink.urlFor('respond'),
		}),
		lab.forImport(lab.manualVariant(triage, { getMany: { filters: { createdAfter: newSince } } }), {
			id: 'DemoTriageManual',
			name: 'Defender: triage (manual run of the incidents created since the demo started)',
			webhookUrl: sink.urlFor('triage'),
		}),
	];
	// Packs the package, installs it into a fresh n8n folder as a community package, imports, starts n8n, creates the owner.
	const n8n = await lab.startLabN8n({
		credentials: [credential],
		workflows,
		caFile: emu.caFile,
		port: process.env.DEMO_PORT ? Number(process.env.DEMO_PORT) : undefined,
		onProgress: (message) => say(`  ${message}`),
	});
	cleanups.push(() => n8n.stop());
	const { server, client, home } = n8n;
	say(
		`  credential "${credential.name}" (Custom cloud → the emulator); ${workflows.map((workflow) => `"${workflow.name}"`).join(', ')}`,
	);
	const loaded =
		/Loaded all credentials and nodes from n8n-nodes-microsoft-defender \{"credentials":(\d+),"nodes":(\d+)/.exec(
			server.readLog(),
		);
	if (!loaded)
		throw new Error(
			`n8n did not load n8n-nodes-microsoft-defender; its log ends:\n${lab.tail(server.readLog(), 30)}`,
		);
	say(`  package loaded: ${loaded[1]} credential, ${loaded[2]} nodes`);

	const test = await lab.testCredential(client, credential);
	say(`  credential Test (as the dialog's button): ${test.status} — ${test.message}`);

	step('Running the triage workflow once (headless: n8n execute)');
	const before = new Map(fresh.map((incident) => [incident.id, incident]));
	const run = await lab.executeWorkflow(home, 'DemoTriageManual', {
		caFile: emu.caFile,
		timeoutMs: 180_000,
	});
	const listed = lab.nodeOutput(run, 'New High/Medium Incident');
	const hunts = lab.nodeOutput(run, 'Hunt Process Events');
	say(
		`  ${listed.length} new High/Medium incident(s); ${hunts.length} hunting quer${hunts.length === 1 ? 'y' : 'ies'}; ${run.status} in ${((Date.parse(run.stoppedAt) - Date.parse(run.startedAt)) / 1000).toFixed(1)} s`,
	);

	step(`What reached the chat webhook (${sink.received('triage').length} message(s))`);
	for (const message of sink.received('triage')) {
		say(`  ● ${message.body.text}`);
		for (const block of message.body.blocks.slice(1)) {
			// Sections carry text or fields; the last block holds the buttons (their label and link).
			const text =
				block.text?.text ??
				block.fields?.map((/** @type {{ text: string }} */ field) => field.text).join(' · ') ??
				block.elements
					?.map(
						(/** @type {{ text: { text: string }, url?: string }} */ button) =>
							`[${button.text.text}] ${button.url ?? ''}`,
					)
					.join('  ') ??
				'';
			for (const line of text.split('\n')) say(`      ${line}`);
		}
	}

	step('What changed on the incidents (read back from the emulator)');
	for (const incident of emu
		.listIncidents(demo.tenantId)
		.filter((candidate) => before.has(candidate.id))) {
		const was = before.get(incident.id);
		const changed = was?.status !== incident.status;
		say(
			`  #${incident.id} ${incident.severity.padEnd(6)} ${changed ? `${was?.status} → ${incident.status}` : `${incident.status} (unchanged)`}  ${incident.title}`,
		);
		for (const comment of incident.comments.slice(was?.comments.length ?? 0))
			say(`      comment by ${comment.createdBy}: ${comment.comment}`);
	}

	say(`\nDone in ${Math.round((Date.now() - started) / 1000)} s.`);
	if (process.env.DEMO_EXIT_AFTER_RUN === '1') return await shutdown(0);

	say(`
n8n is running at ${server.url}
  sign in: ${lab.DEFAULT_OWNER.email} / ${lab.DEFAULT_OWNER.password}
  workflows: ${workflows.map((workflow) => `\n    ${server.url}/workflow/${workflow.id}  ${workflow.name}`).join('')}
  The credential "${credential.name}" points at the emulator (${emu.url}).
  Publish "${workflows[0].name}" to let the trigger poll; new incidents can be added with
    curl -k -X POST ${emu.controlUrl}/createIncident -d '["${demo.tenantId}", {"severity": "High", "devices": ["ws-0101.contoso.local"]}]'
  Chat messages are printed below as they arrive. Press Ctrl+C to stop everything.`);
	let shown = sink.messages.length;
	setInterval(() => {
		for (; shown < sink.messages.length; shown++) {
			const message = sink.messages[shown];
			say(
				`  [chat ${message.path.replace('/hooks/', '')}] ${typeof message.body === 'object' ? message.body.text : message.raw}`,
			);
		}
	}, 1000);
}

main().catch(async (error) => {
	process.stderr.write(
		`\ndemo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
	);
	await shutdown(1);
});
