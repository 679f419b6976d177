import type { AppIdentity } from './identity';
import { secretsOf } from './identity';
import { networkCauseInWords, redact, TokenAcquisitionError } from './errors';
import { quoted } from '../helpers/validate';

export function adminConsentUrl(
	identity: Pick<AppIdentity, 'endpoints' | 'tenantId' | 'clientId'>,
): string {
	return `${identity.endpoints.authorityUrl}/${encodeURIComponent(identity.tenantId)}/adminconsent?client_id=${identity.clientId}`;
}

/** AADSTS codes users meet with app-only tokens, in plain words with the fix. */
function explainAadsts(code: string, identity: AppIdentity, scope: string): string | undefined {
	const resource = scope.replace(/\/\.default$/, '');
	switch (code) {
		case '7000215':
			return 'The client secret is wrong. Copy the secret\'s "Value" (not its "Secret ID") from Certificates & secrets in the app registration and paste it into Client Secret.';
		case '7000222':
			return 'The client secret has expired. Create a new client secret under Certificates & secrets in the app registration and paste its Value into Client Secret.';
		case '700016':
			return `The app ${identity.clientId} is not known in tenant ${identity.tenantId}: either the Client ID is wrong, or this is a multi-tenant app that an administrator of that tenant has not consented to yet (consent link: ${adminConsentUrl(identity)}).`;
		case '7000229':
			return `The app ${identity.clientId} has no service principal in tenant ${identity.tenantId}: an administrator of that tenant removed the app (or its consent), or never consented to it. An administrator of that tenant must consent again (consent link: ${adminConsentUrl(identity)}).`;
		case '90002':
			return `Tenant ${quoted(identity.tenantId)} does not exist in this cloud. Check the Tenant ID (Directory ID on the app's Overview page) and the Cloud setting.`;
		case '900023':
			return `Tenant ${quoted(identity.tenantId)} is not a valid tenant identifier. Use the Directory (tenant) ID GUID or a verified domain.`;
		case '500011':
			return `The API ${resource} is not available in tenant ${identity.tenantId}: its service principal is missing there (the tenant has no Microsoft Defender licence for it, or the app's permissions for it were never consented). Grant admin consent for the app's permissions in that tenant.`;
		case '700027':
		case '700023':
			return 'The certificate was rejected: upload the certificate (its public .cer/.pem part) to the app registration under Certificates & secrets, and make sure the private key and thumbprint here belong to it.';
		case '700024':
			return "The certificate assertion is outside its valid time range: this machine's clock is probably wrong.";
		case '7000112':
			return `The app ${identity.clientId} is disabled in tenant ${identity.tenantId}. An administrator must enable its enterprise application.`;
		case '70011':
			return `The scope ${scope} was refused. Check the Cloud setting (and, for Custom, the API URLs).`;
		case '53003':
			return 'A Conditional Access policy of the tenant blocks this app. Ask the tenant administrator to exclude it or allow its location.';
		case '50049':
		case '90072':
			return `The authority ${identity.endpoints.authorityUrl} does not serve tenant ${identity.tenantId}. Check the Cloud setting (GCC High and DoD use login.microsoftonline.us).`;
		default:
			return undefined;
	}
}

interface MsalLikeError {
	errorCode?: string;
	errorMessage?: string;
	message?: string;
	status?: number;
	causeCode?: string;
}

function asMsalError(error: unknown): MsalLikeError {
	return typeof error === 'object' && error !== null
		? (error as MsalLikeError)
		: { message: String(error) };
}

/**
 * Turns whatever MSAL threw into a TokenAcquisitionError: a short message saying what is wrong and what
 * to do, and a description with the detail (endpoint, attempts, cause code, Entra ID's own words).
 * Nothing secret survives: the text is redacted before it is built.
 */
export function explainTokenFailure(
	error: unknown,
	identity: AppIdentity,
	scope: string,
	attempts = 1,
): TokenAcquisitionError {
	const raw = asMsalError(error);
	const secrets = secretsOf(identity);
	const detail = redact(`${raw.errorMessage ?? ''} ${raw.message ?? ''}`.trim(), secrets);
	const code = /AADSTS(\d+)/.exec(detail)?.[1];
	const firstLine = detail.split(/\r?\n/)[0].slice(0, 400);
	const tokenEndpoint = `${identity.endpoints.authorityUrl}/${identity.tenantId}/oauth2/v2.0/token`;
	const where = `Token endpoint: ${tokenEndpoint}.${attempts > 1 ? ` Tried ${attempts} times.` : ''}`;
	const errorCode = raw.errorCode ?? '';
	if (typeof raw.status === 'number' && (raw.status === 429 || raw.status >= 500)) {
		const state =
			raw.status === 429 ? 'is throttling sign-ins of this app' : 'is temporarily unavailable';
		return new TokenAcquisitionError(
			`Entra ID ${state} (HTTP ${raw.status}). Run the workflow again in a few minutes.`,
			code ? `AADSTS${code}` : undefined,
			`${where}${firstLine ? ` Entra ID said: ${firstLine}` : ''} If this persists, check the Microsoft 365/Azure service status and any proxy between n8n and that host.`,
		);
	}
	if (errorCode === 'token_parsing_error') {
		return new TokenAcquisitionError(
			'Entra ID answered with something that is not a token response. Check the Cloud setting (for Custom: the Authority URL) and any proxy between n8n and Entra ID.',
			undefined,
			`${where} Usually an HTML page from a proxy or gateway. ${firstLine}`.trim(),
		);
	}
	if (code) {
		const plain = explainAadsts(code, identity, scope);
		const message = plain
			? `Sign-in failed (AADSTS${code}): ${plain}`
			: `Sign-in failed (AADSTS${code}). Check the credential's Tenant ID, Client ID and secret or certificate.`;
		return new TokenAcquisitionError(message, `AADSTS${code}`, `Entra ID said: ${firstLine}`);
	}
	if (
		errorCode === 'network_error' ||
		/network|fetch|ECONN|ENOTFOUND|ETIMEDOUT|EAI_AGAIN|certificate|socket/i.test(
			`${errorCode} ${detail}`,
		)
	) {
		const host = new URL(tokenEndpoint).host;
		return new TokenAcquisitionError(
			`Could not reach Entra ID at ${host}: ${networkCauseInWords(raw.causeCode)}. Check the Cloud setting (for Custom: the Authority URL) and the network between n8n and that host.`,
			undefined,
			`${raw.causeCode ? `Cause: ${raw.causeCode}. ` : ''}${where}`,
		);
	}
	return new TokenAcquisitionError(
		`Sign-in failed: ${firstLine || errorCode || 'unknown error from Entra ID'}`,
		undefined,
		where,
	);
}
