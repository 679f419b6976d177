// The only module that imports the third-party libraries. The build bundles it (with esbuild) into a
// self-contained file in dist/, because n8n community packages must not have runtime dependencies.
export { AuthError, ConfidentialClientApplication, LogLevel } from '@azure/msal-node';
export type {
	AuthenticationResult,
	Configuration,
	INetworkModule,
	NetworkRequestOptions,
	NetworkResponse,
} from '@azure/msal-node';
export { decodeJwt } from 'jose';
