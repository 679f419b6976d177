// n8n's own community-node rules (the `recommended` set, which n8n Cloud verification uses).
import tsParser from '@typescript-eslint/parser';
import { n8nCommunityNodesPlugin } from '@n8n/eslint-plugin-community-nodes';

export default [
	{ ignores: ['dist/**', 'node_modules/**', 'test/**', 'scripts/**', 'bench/**', 'examples/**', '*.js', '*.mjs'] },
	{
		files: ['**/*.ts'],
		languageOptions: { parser: tsParser, parserOptions: { project: './tsconfig.json', tsconfigRootDir: import.meta.dirname } },
	},
	// The package.json rules (no runtime dependencies, the n8n object, …) read it as a JS object literal.
	{ files: ['package.json'], languageOptions: { parser: tsParser } },
	n8nCommunityNodesPlugin.configs.recommended,
];
