import * as fs from 'node:fs';
import * as path from 'node:path';

// The examples are for people who build in the editor without writing JavaScript: none may need a
// Code node (or its predecessors Function and Function Item).
const EXAMPLES = path.resolve(__dirname, '..', '..', 'examples');
const CODE_NODES = [
	'n8n-nodes-base.code',
	'n8n-nodes-base.function',
	'n8n-nodes-base.functionItem',
];

interface Workflow {
	name: string;
	nodes: Array<{ name: string; type: string }>;
}

const files = fs.readdirSync(EXAMPLES).filter((file) => file.endsWith('.json'));

describe('examples', () => {
	it('are all here', () => {
		expect(files.sort()).toEqual([
			'ai-triage.json',
			'daily-digest.json',
			'hunting-report.json',
			'incident-triage.json',
			'investigate-device.json',
			'jira-sync.json',
			'mssp-morning-report.json',
			'phishing-triage.json',
			'respond-to-incident.json',
			'respond-with-approval.json',
			'vulnerability-sla.json',
		]);
	});

	it.each(files)('%s has no Code node', (file) => {
		const workflow = JSON.parse(fs.readFileSync(path.join(EXAMPLES, file), 'utf8')) as Workflow;
		expect(workflow.nodes.length).toBeGreaterThan(1);
		expect(
			workflow.nodes
				.filter((node) => CODE_NODES.includes(node.type))
				.map((node) => `${node.name} (${node.type})`),
		).toEqual([]);
	});
});
