// Two legs.
// The package (package.json, credentials/, nodes/): the source leg of n8n's verification scan
// (@n8n/scan-community-package 0.32), rule for rule: @n8n/eslint-plugin-community-nodes `recommended`,
// no-console, and eslint-plugin-n8n-nodes-base's community (package.json), credentials and nodes rule
// sets with the scanner's own exceptions. The scanner ignores eslint-disable comments, so these files
// may not use them either.
// Tests, scripts and the benchmark: ESLint's and typescript-eslint's recommended rules.
import js from '@eslint/js';
import tsParser from '@typescript-eslint/parser';
import { n8nCommunityNodesPlugin } from '@n8n/eslint-plugin-community-nodes';
import n8nNodesBase from 'eslint-plugin-n8n-nodes-base';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const packageFiles = ['package.json', '{nodes,credentials}/**/*.{ts,json}'];
const tooling = [
	'test/**',
	'scripts/**',
	'bench/**',
	'gulpfile.js',
	'jest.config.js',
	'eslint.config.mjs',
];

export default [
	{
		ignores: [
			'dist/**',
			'node_modules/**',
			'coverage/**',
			'examples/**',
			'test/.tmp/**',
			'package-lock.json',
		],
	},
	{
		files: packageFiles,
		linterOptions: { noInlineConfig: true, reportUnusedDisableDirectives: 'off' },
	},
	{
		files: ['credentials/**/*.ts', 'nodes/**/*.ts'],
		languageOptions: {
			parser: tsParser,
			parserOptions: { project: './tsconfig.json', tsconfigRootDir: import.meta.dirname },
		},
	},
	// package.json and the codex files are read as JS object literals, as the scanner does.
	{
		files: ['package.json', '{nodes,credentials}/**/*.json'],
		languageOptions: { parser: tsParser },
	},
	{ ...n8nCommunityNodesPlugin.configs.recommended, files: packageFiles },
	{ files: packageFiles, rules: { 'no-console': 'error' } },
	{ files: packageFiles, plugins: { 'n8n-nodes-base': n8nNodesBase } },
	{ files: ['package.json'], rules: { ...n8nNodesBase.configs.community.rules } },
	{
		files: ['credentials/**/*.ts'],
		rules: {
			...n8nNodesBase.configs.credentials.rules,
			// Off in the scanner too: not valid for community nodes / covered by community-nodes' credential-password-field.
			'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
			'n8n-nodes-base/cred-class-field-type-options-password-missing': 'off',
		},
	},
	{
		files: ['nodes/**/*.ts'],
		rules: {
			...n8nNodesBase.configs.nodes.rules,
			// Off in the scanner too: enum inputs/outputs, and APIs that do have a maximum page size.
			'n8n-nodes-base/node-class-description-inputs-wrong-regular-node': 'off',
			'n8n-nodes-base/node-class-description-outputs-wrong': 'off',
			'n8n-nodes-base/node-param-type-options-max-value-present': 'off',
		},
	},
	...[js.configs.recommended, ...tseslint.configs.recommended].map((config) => ({
		...config,
		files: tooling.map((glob) => (glob.endsWith('/**') ? `${glob}/*.{ts,js,mjs}` : glob)),
	})),
	{
		files: tooling,
		languageOptions: { globals: { ...globals.node } },
		// `const { omitted, ...rest } = record` is how the emulator leaves fields out of an answer.
		rules: { '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }] },
	},
	{
		files: ['**/*.js'],
		languageOptions: { sourceType: 'commonjs' },
		rules: { '@typescript-eslint/no-require-imports': 'off' },
	},
	{ files: ['test/**/*.ts'], languageOptions: { globals: { ...globals.jest } } },
];
