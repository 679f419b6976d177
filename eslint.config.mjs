// The source leg of n8n's verification scan (@n8n/scan-community-package 0.32), rule for rule:
// @n8n/eslint-plugin-community-nodes `recommended`, no-console, and eslint-plugin-n8n-nodes-base's
// community (package.json), credentials and nodes rule sets with the scanner's own exceptions, on
// package.json and {nodes,credentials}/**/*.{ts,json}. The scanner ignores eslint-disable comments,
// so these files may not use them either.
import tsParser from '@typescript-eslint/parser';
import { n8nCommunityNodesPlugin } from '@n8n/eslint-plugin-community-nodes';
import n8nNodesBase from 'eslint-plugin-n8n-nodes-base';

export default [
	{ ignores: ['dist/**', 'node_modules/**', 'test/**', 'scripts/**', 'bench/**', 'examples/**', '*.js', '*.mjs', 'package-lock.json'] },
	{ files: ['package.json', '{nodes,credentials}/**/*.{ts,json}'], linterOptions: { noInlineConfig: true, reportUnusedDisableDirectives: 'off' } },
	{
		files: ['**/*.ts'],
		languageOptions: { parser: tsParser, parserOptions: { project: './tsconfig.json', tsconfigRootDir: import.meta.dirname } },
	},
	// package.json and the codex files are read as JS object literals, as the scanner does.
	{ files: ['**/*.json'], languageOptions: { parser: tsParser } },
	n8nCommunityNodesPlugin.configs.recommended,
	{ rules: { 'no-console': 'error' } },
	{ plugins: { 'n8n-nodes-base': n8nNodesBase } },
	{ files: ['package.json'], rules: { ...n8nNodesBase.configs.community.rules } },
	{
		files: ['**/credentials/**/*.ts'],
		rules: {
			...n8nNodesBase.configs.credentials.rules,
			// Off in the scanner too: not valid for community nodes / covered by community-nodes' credential-password-field.
			'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
			'n8n-nodes-base/cred-class-field-type-options-password-missing': 'off',
		},
	},
	{
		files: ['**/nodes/**/*.ts'],
		rules: {
			...n8nNodesBase.configs.nodes.rules,
			// Off in the scanner too: enum inputs/outputs, and APIs that do have a maximum page size.
			'n8n-nodes-base/node-class-description-inputs-wrong-regular-node': 'off',
			'n8n-nodes-base/node-class-description-outputs-wrong': 'off',
			'n8n-nodes-base/node-param-type-options-max-value-present': 'off',
		},
	},
];
