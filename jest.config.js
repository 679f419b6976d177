/** Tests import the built package from dist/ (what n8n loads), so `npm test` builds first. */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	// The real-n8n end-to-end suite runs on its own (npm run e2e, last step of npm test): it needs n8n installed.
	testPathIgnorePatterns: ['/node_modules/', '/test/e2e/', '/test/scale/'],
	transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'test/tsconfig.json' }] },
	testTimeout: 30000,
	// Integration tests share one emulator port range and the process-wide token cache per file; two workers keep the 2-core machine responsive.
	maxWorkers: 2,
};
