import type { QuotaWindow } from './rateLimiter';

/**
 * Kinds of calls with their own documented quota (per app and tenant). Microsoft counts per minute
 * and per hour; a Custom cloud can shorten the minute (an emulator), and the hour shrinks with it.
 */
export type QuotaCategory =
	| 'incidentList'
	| 'incidentRead'
	| 'incidentWrite'
	| 'hunting'
	| 'endpoint'
	| 'liveResponse'
	| 'packageLink'
	| 'startInvestigation'
	| 'deviceVulnerabilities';

const QUOTAS: Record<QuotaCategory, Array<{ limit: number; minutes: number }>> = {
	incidentList: [
		{ limit: 50, minutes: 1 },
		{ limit: 1500, minutes: 60 },
	],
	incidentRead: [
		{ limit: 100, minutes: 1 },
		{ limit: 1500, minutes: 60 },
	],
	// defender-xdr/api-update-incidents.md: 50 calls per minute or 1,500 per hour.
	incidentWrite: [
		{ limit: 50, minutes: 1 },
		{ limit: 1500, minutes: 60 },
	],
	hunting: [{ limit: 45, minutes: 1 }],
	endpoint: [
		{ limit: 100, minutes: 1 },
		{ limit: 1500, minutes: 60 },
	],
	// Defender for Endpoint calls with a documented quota of their own.
	liveResponse: [{ limit: 10, minutes: 1 }],
	packageLink: [
		{ limit: 2, minutes: 1 },
		{ limit: 120, minutes: 60 },
	],
	startInvestigation: [{ limit: 50, minutes: 60 }],
	// defender-endpoint/api/get-discovered-vulnerabilities.md: 50 calls per minute and 1,500 per hour.
	deviceVulnerabilities: [
		{ limit: 50, minutes: 1 },
		{ limit: 1500, minutes: 60 },
	],
};

/**
 * The windows this process keeps to. `processes` is how many n8n processes (queue-mode workers) use the
 * same app at once: each keeps to its share, so that together they stay under the tenant's quota.
 */
export function quotaWindows(
	category: QuotaCategory,
	minuteMs: number,
	processes = 1,
): QuotaWindow[] {
	return QUOTAS[category].map(({ limit, minutes }) => ({
		limit: Math.max(1, Math.floor(limit / processes)),
		windowMs: minutes * minuteMs,
	}));
}
