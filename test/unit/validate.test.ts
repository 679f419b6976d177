import {
	resolveCloudEndpoints,
	apiOfUrl,
	requestTarget,
	scopeOf,
} from '../../dist/nodes/MicrosoftDefender/transport/cloud';
import { redact } from '../../dist/nodes/MicrosoftDefender/transport/errors';
import {
	isHuntingTimespan,
	isoDateTime,
	isPathSegment,
	limitOf,
	overlapWindowMs,
	quoted,
	requestTimeoutMs,
	waitTimeoutMs,
} from '../../dist/nodes/MicrosoftDefender/helpers/validate';

describe('input checks', () => {
	it('quotes input cut to 100 characters', () => {
		expect(quoted('abc')).toBe('"abc"');
		expect(quoted('x'.repeat(10_000))).toBe(`"${'x'.repeat(100)}…"`);
		expect(quoted(42)).toBe('"42"');
	});

	it('Overlap Window: 1 to 1,440 minutes, also from an expression string; anything else refused', () => {
		expect(overlapWindowMs(10)).toBe(600_000);
		expect(overlapWindowMs('1440')).toBe(86_400_000);
		for (const bad of [0, -5, 1441, 'ten', '', Number.NaN, null, undefined])
			expect(() => overlapWindowMs(bad)).toThrow(
				/^Overlap Window ".*" is not a number of minutes from 1 to 1,440 \(24 hours\)/,
			);
	});

	it('Limit: a whole number of 1 or more, also from an expression string', () => {
		expect(limitOf(5)).toBe(5);
		expect(limitOf('7')).toBe(7);
		for (const bad of [0, -1, 1.5, 'abc', '', Number.NaN, Infinity, null])
			expect(() => limitOf(bad)).toThrow(/^Limit ".*" is not a whole number of 1 or more/);
	});

	it('Timeout: 0 or empty is the default, else 0 to 900 seconds; Wait Timeout: 1 to 86,400 seconds', () => {
		expect(requestTimeoutMs(0)).toBeUndefined();
		expect(requestTimeoutMs('')).toBeUndefined();
		expect(requestTimeoutMs(30)).toBe(30_000);
		expect(requestTimeoutMs(900)).toBe(900_000);
		for (const bad of [-1, 901, 'abc', Infinity])
			expect(() => requestTimeoutMs(bad)).toThrow(
				/^Timeout ".*" is not a number of seconds from 0 to 900/,
			);
		expect(waitTimeoutMs(600)).toBe(600_000);
		expect(waitTimeoutMs('1')).toBe(1000);
		for (const bad of [0, -5, 0.5, 86_401, 'abc', Number.NaN, undefined])
			expect(() => waitTimeoutMs(bad)).toThrow(
				/^Wait Timeout ".*" is not a number of seconds from 1 to 86,400/,
			);
	});

	it('dates: ISO 8601 (times without an offset in UTC), JS Dates and Luxon-like DateTimes; nothing else', () => {
		expect(isoDateTime('2026-11-01', 'X')).toBe('2026-11-01T00:00:00.000Z');
		expect(isoDateTime('2026-11-01T08:30', 'X')).toBe('2026-11-01T08:30:00.000Z');
		expect(isoDateTime('2026-11-01T08:30:00+02:00', 'X')).toBe('2026-11-01T06:30:00.000Z');
		expect(isoDateTime('2026-11-01T08:30:00.1234567Z', 'X')).toBe('2026-11-01T08:30:00.123Z');
		expect(isoDateTime(new Date(Date.UTC(2026, 0, 2)), 'X')).toBe('2026-01-02T00:00:00.000Z');
		expect(isoDateTime({ isValid: true, toMillis: () => Date.UTC(2026, 0, 3) }, 'X')).toBe(
			'2026-01-03T00:00:00.000Z',
		);
		for (const bad of [
			'foo 1',
			'1',
			'2026-02-31',
			'2026-11-01T24:00:00Z',
			'11/01/2026',
			'Sun, 01 Nov 2026 00:00:00 GMT',
			1_700_000_000_000,
			{ isValid: false, toMillis: () => 0 },
		]) {
			expect(() => isoDateTime(bad, 'Created After')).toThrow(
				/^Created After ".*" is not a date\. Use an ISO 8601 date/,
			);
		}
	});

	it('path IDs: no dot segments, separators, escapes or whitespace', () => {
		expect(isPathSegment('da637551227677560813_-961444813')).toBe(true);
		for (const bad of ['', '.', '..', 'a/b', 'a\\b', 'a?b', 'a#b', '%2e%2e', 'a b', 'a\nb'])
			expect(isPathSegment(bad)).toBe(false);
	});
});

describe('the URL a token goes to', () => {
	const endpoints = resolveCloudEndpoints({ cloud: 'global' });

	it('joins baseURL and url as axios does, and refuses what parsers read differently', () => {
		expect(requestTarget('/api/incidents', 'https://api.security.microsoft.com/')).toBe(
			'https://api.security.microsoft.com/api/incidents',
		);
		expect(requestTarget('https://graph.microsoft.com/v1.0/x', 'https://other.example')).toBe(
			'https://graph.microsoft.com/v1.0/x',
		);
		expect(
			requestTarget('\\\\graph.microsoft.com/v1.0/x', 'https://other.example/'),
		).toBeUndefined();
		expect(requestTarget('//graph.microsoft.com/v1.0/x')).toBeUndefined();
		expect(requestTarget(' https://graph.microsoft.com/v1.0/x')).toBeUndefined();
		expect(requestTarget('https://graph.microsoft.com/v1.0/\tx')).toBeUndefined();
		expect(requestTarget('http://graph.microsoft.com/v1.0/x')).toBeUndefined();
		expect(requestTarget('https:graph.microsoft.com/v1.0/x')).toBeUndefined();
		expect(requestTarget(undefined)).toBeUndefined();
	});

	it('a URL belongs to an API by parsed origin and path, not by its text', () => {
		expect(apiOfUrl(endpoints, 'https://graph.microsoft.com/v1.0/security/incidents')).toBe(
			'graph',
		);
		expect(apiOfUrl(endpoints, 'https://GRAPH.microsoft.com:443/v1.0/security/incidents')).toBe(
			'graph',
		);
		expect(apiOfUrl(endpoints, 'https://graph.microsoft.com@other.example/v1.0')).toBeUndefined();
		expect(apiOfUrl(endpoints, 'https://user:pw@graph.microsoft.com/v1.0')).toBeUndefined();
		expect(apiOfUrl(endpoints, 'https://graph.microsoft.com.other.example/v1.0')).toBeUndefined();
		const custom = resolveCloudEndpoints({
			cloud: 'custom',
			authorityUrl: 'https://e.example',
			defenderApiUrl: 'https://e.example/xdr',
			graphApiUrl: 'https://e.example/graph',
			endpointApiUrl: 'https://e.example/mde',
		});
		expect(apiOfUrl(custom, 'https://e.example/graph/../xdr/api/incidents')).toBe('defenderXdr');
		expect(apiOfUrl(custom, 'https://e.example/graph/%2e%2e/elsewhere')).toBeUndefined();
		expect(apiOfUrl(custom, 'https://e.example/graphs/v1.0')).toBeUndefined();
	});
});

describe('redaction of encoded secrets', () => {
	it('removes a secret as it is, URL-encoded (either hex case) and form-encoded', () => {
		const secret = "Ab+c/d=e f~!'()*";
		const text = [
			secret,
			encodeURIComponent(secret),
			encodeURIComponent(secret).toLowerCase().replace(/^ab/, 'Ab'),
			new URLSearchParams({ s: secret }).toString().slice(2),
		].join(' | ');
		expect(redact(text, [secret])).toBe('[redacted] | [redacted] | [redacted] | [redacted]');
	});
});

describe('Graph hunting Timespan (security-security-runhuntingquery.md, Timespan format examples)', () => {
	it('takes every documented form and refuses the rest before sending', () => {
		for (const value of [
			'P30D',
			'PT12H',
			'2024-02-01T08:00:00Z',
			'2024-02-01T08:00:00Z/2024-02-15T08:00:00Z',
			'P30D/2024-02-15T08:00:00Z',
			'2024-02-01T08:00:00Z/P30D',
			'2024-02-01T08:00:00+02:00/P1D',
		])
			expect({ value, ok: isHuntingTimespan(value) }).toEqual({ value, ok: true });
		for (const value of [
			'30 days',
			'P',
			'P30D/P1D',
			'2024-02-15T08:00:00Z/2024-02-01T08:00:00Z',
			'2024-02-01',
			'a/b/c',
		])
			expect({ value, ok: isHuntingTimespan(value) }).toEqual({ value, ok: false });
	});
});

describe('token audience of the Defender for Endpoint API per cloud', () => {
	it('GCC High and DoD use securitycenter.onmicrosoft.us, GCC securitycenter.onmicrosoft.com (Cortex XSOAR; gov.md names no audience)', () => {
		const scope = (cloud: string) => scopeOf(resolveCloudEndpoints({ cloud }), 'endpoint');
		expect(scope('global')).toBe('https://api.securitycenter.microsoft.com/.default');
		expect(scope('usGcc')).toBe('https://securitycenter.onmicrosoft.com/.default');
		expect(scope('usGccHigh')).toBe('https://securitycenter.onmicrosoft.us/.default');
		expect(scope('usDod')).toBe('https://securitycenter.onmicrosoft.us/.default');
		expect(scopeOf(resolveCloudEndpoints({ cloud: 'usGccHigh' }), 'defenderXdr')).toBe(
			'https://api-gov.security.microsoft.us/.default',
		);
	});
});
