// @ts-check
'use strict';
// A real n8n with this package, for the end-to-end tests (test/e2e) and `npm run demo`.
//   install.js    ensureN8n({ version }): Node + n8n, installed once into the lab cache (DEFENDER_LAB_CACHE)
//   system.js     ensureDebianPackages / ensureBuildTools: Debian packages found or apt-installed
//   n8n.js        packPackage, createN8nHome, startN8n, startN8nWorker, n8nCli, executeWorkflow
//   redis.js      ensureRedis (Debian's redis-server), startRedis on a loopback port
//   queue.js      startQueueMode: Redis + main + N workers on one user folder (n8n's queue mode)
//   rest.js       owner setup, login, credential Test and executions over n8n's REST API
//   workflows.js  the examples made importable: credential record, webhook URL, Manual variant
//   chatSink.js   a local stand-in for a Slack/Teams incoming webhook
//   instance.js   startDemoEmulator, startLabN8n: the set-up the demo and the browser test share
//   browser.js    ensureChromium (Debian's chromium), launchChromium (playwright-core)
//   proc.js       child processes in their own process group, bounded in time, always cleaned up,
//                 never carrying the calling npm's configuration (childEnv)
module.exports = {
	...require('./install'),
	...require('./system'),
	...require('./n8n'),
	...require('./redis'),
	...require('./queue'),
	...require('./rest'),
	...require('./workflows'),
	...require('./chatSink'),
	...require('./instance'),
	...require('./browser'),
	...require('./proc'),
};
