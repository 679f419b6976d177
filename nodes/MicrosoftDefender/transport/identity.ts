import { createHash, createPrivateKey, X509Certificate } from 'node:crypto';

import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { resolveCloudEndpoints, type CloudEndpoints } from './cloud';
import { CredentialInputError } from './errors';
import { quoted } from '../helpers/validate';

/** Everything needed to ask Entra ID for an app-only token, validated. */
export interface AppIdentity {
	endpoints: CloudEndpoints;
	tenantId: string;
	clientId: string;
	clientSecret?: string;
	certificate?: { privateKeyPem: string; thumbprintSha256?: string; thumbprintSha1?: string };
	/** Hash of the secret or certificate: part of cache keys so that a rotated secret gets a new token. */
	secretFingerprint: string;
	/** How many n8n processes share this app's per-tenant quotas (queue mode); each keeps to its share. */
	quotaProcesses: number;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DOMAIN = /^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;
const MULTI_TENANT_ALIASES = new Set(['common', 'organizations', 'consumers']);

export function validateTenantId(value: unknown, field = 'tenantId'): string {
	const tenant = typeof value === 'string' ? value.trim() : '';
	if (MULTI_TENANT_ALIASES.has(tenant.toLowerCase())) {
		throw new CredentialInputError(
			field,
			`Tenant ID ${quoted(tenant)} is a sign-in alias, not a tenant. App-only tokens need the customer's own tenant: its Directory (tenant) ID GUID or a verified domain such as contoso.onmicrosoft.com.`,
		);
	}
	if (!GUID.test(tenant) && !DOMAIN.test(tenant)) {
		throw new CredentialInputError(
			field,
			`Tenant ID ${quoted(tenant)} is not a tenant GUID (like 72f988bf-86f1-41af-91ab-2d7cd011db47) or a verified domain (like contoso.onmicrosoft.com). Copy the Directory (tenant) ID from the app registration's Overview page.`,
		);
	}
	return tenant;
}

export function validateClientId(value: unknown): string {
	const clientId = typeof value === 'string' ? value.trim() : '';
	if (!GUID.test(clientId)) {
		throw new CredentialInputError(
			'clientId',
			`Client ID ${quoted(clientId)} is not a GUID. Copy the Application (client) ID from the app registration's Overview page (the form is xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx).`,
		);
	}
	return clientId;
}

function sha256Hex(text: string): string {
	return createHash('sha256').update(text).digest('hex');
}

/** The value `parse` returns, or undefined when it throws (the caller explains what was wrong). */
function parsedOrUndefined<T>(parse: () => T): T | undefined {
	try {
		return parse();
	} catch {
		return undefined;
	}
}

function parseCertificate(
	credentials: ICredentialDataDecryptedObject,
): NonNullable<AppIdentity['certificate']> {
	const keyText =
		typeof credentials.certificatePrivateKey === 'string'
			? credentials.certificatePrivateKey.trim()
			: '';
	const privateKeyPem = parsedOrUndefined(() =>
		createPrivateKey(keyText).export({ type: 'pkcs8', format: 'pem' }).toString(),
	);
	if (privateKeyPem === undefined) {
		throw new CredentialInputError(
			'certificatePrivateKey',
			'Private Key is not an unencrypted PEM private key. Paste the whole block from -----BEGIN PRIVATE KEY----- to -----END PRIVATE KEY----- (export it without a passphrase).',
		);
	}
	const certificateText =
		typeof credentials.certificate === 'string' ? credentials.certificate.trim() : '';
	if (certificateText !== '') {
		const certificate = parsedOrUndefined(() => new X509Certificate(certificateText));
		if (certificate === undefined) {
			throw new CredentialInputError(
				'certificate',
				'Certificate is not a PEM certificate. Paste the block from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE----- (the public part you uploaded to the app registration), or leave it empty and enter its thumbprint.',
			);
		}
		if (!certificate.checkPrivateKey(createPrivateKey(privateKeyPem))) {
			throw new CredentialInputError(
				'certificate',
				'Certificate and Private Key do not belong together. Paste the private key of this certificate.',
			);
		}
		return { privateKeyPem, thumbprintSha256: certificate.fingerprint256.replace(/:/g, '') };
	}
	const thumbprint =
		typeof credentials.certificateThumbprint === 'string'
			? credentials.certificateThumbprint.replace(/[\s:]/g, '')
			: '';
	if (/^[0-9a-f]{64}$/i.test(thumbprint)) return { privateKeyPem, thumbprintSha256: thumbprint };
	if (/^[0-9a-f]{40}$/i.test(thumbprint)) return { privateKeyPem, thumbprintSha1: thumbprint };
	throw new CredentialInputError(
		'certificateThumbprint',
		'Enter the certificate (PEM) or its thumbprint: 40 hex characters (SHA-1, shown in the app registration under Certificates & secrets) or 64 (SHA-256).',
	);
}

/** The credential's Processes Sharing the Quota: how many n8n processes split the tenant's quota. */
function quotaProcessesOf(credentials: ICredentialDataDecryptedObject): number {
	const value = Number(credentials.quotaProcesses ?? 1);
	if (!Number.isInteger(value) || value < 1 || value > 64) {
		throw new CredentialInputError(
			'quotaProcesses',
			'Processes Sharing the Quota must be a whole number from 1 to 64 (the number of n8n workers using this app at once).',
		);
	}
	return value;
}

/**
 * Validates the credential and returns what the token provider needs.
 * `tenantOverride` is the node's Tenant ID option: one multi-tenant app serving several customer tenants.
 */
export function identityFromCredentials(
	credentials: ICredentialDataDecryptedObject,
	tenantOverride?: string,
): AppIdentity {
	const endpoints = resolveCloudEndpoints(credentials);
	const quotaProcesses = quotaProcessesOf(credentials);
	const override = typeof tenantOverride === 'string' ? tenantOverride.trim() : '';
	const tenantId =
		override !== ''
			? validateTenantId(override, 'options.tenantId')
			: validateTenantId(credentials.tenantId);
	const clientId = validateClientId(credentials.clientId);
	if (credentials.authentication === 'certificate') {
		const certificate = parseCertificate(credentials);
		return {
			endpoints,
			tenantId,
			clientId,
			certificate,
			secretFingerprint: sha256Hex(
				`cert:${certificate.privateKeyPem}:${certificate.thumbprintSha256 ?? certificate.thumbprintSha1}`,
			),
			quotaProcesses,
		};
	}
	const clientSecret =
		typeof credentials.clientSecret === 'string' ? credentials.clientSecret.trim() : '';
	if (clientSecret === '') {
		throw new CredentialInputError(
			'clientSecret',
			'Client Secret is empty. Create one under Certificates & secrets in the app registration and paste its Value.',
		);
	}
	return {
		endpoints,
		tenantId,
		clientId,
		clientSecret,
		secretFingerprint: sha256Hex(`secret:${clientSecret}`),
		quotaProcesses,
	};
}

/** The secret material of an identity, for redaction of anything shown to users. */
export function secretsOf(identity: AppIdentity): string[] {
	return [identity.clientSecret, identity.certificate?.privateKeyPem].filter(
		(value): value is string => !!value,
	);
}
