// @ts-check
'use strict';
// A real n8n with this package, for the end-to-end tests (test/e2e) and `npm run demo`.
//   install.js    ensureN8n: Node 24 + n8n, installed once into a cache outside the repo
//   n8n.js        packPackage, createN8nHome, startN8n, n8nCli, executeWorkflow
//   rest.js       owner setup, login, credential Test and executions over n8n's REST API
//   workflows.js  the examples made importable: credential record, webhook URL, Manual variant
//   chatSink.js   a local stand-in for a Slack/Teams incoming webhook
//   proc.js       child processes in their own process group, bounded in time, always cleaned up
module.exports = {
	...require('./install'),
	...require('./n8n'),
	...require('./rest'),
	...require('./workflows'),
	...require('./chatSink'),
	...require('./proc'),
};
