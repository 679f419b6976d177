import {
	apiOfUrl,
	resolveCloudEndpoints,
} from '../../dist/nodes/MicrosoftDefender/transport/cloud';
import { redact } from '../../dist/nodes/MicrosoftDefender/transport/errors';
import { parseJsonText } from '../../dist/nodes/MicrosoftDefender/transport/json';
import { quotaWindows } from '../../dist/nodes/MicrosoftDefender/transport/quotas';
import {
	acquireQuotaSlot,
	QuotaExhaustedError,
} from '../../dist/nodes/MicrosoftDefender/transport/rateLimiter';
import {
	parseRetryAfter,
	serviceMessage,
} from '../../dist/nodes/MicrosoftDefender/transport/request';

describe('clouds', () => {
	it('knows the national clouds, GCC High and DoD on login.microsoftonline.us', () => {
		expect(resolveCloudEndpoints({ cloud: 'usGccHigh' })).toMatchObject({
			authorityUrl: 'https://login.microsoftonline.us',
			apis: {
				defenderXdr: 'https://api-gov.security.microsoft.us',
				graph: 'https://graph.microsoft.us',
				endpoint: 'https://api-gov.securitycenter.microsoft.us',
			},
		});
		expect(resolveCloudEndpoints({ cloud: 'usDod' }).apis.graph).toBe(
			'https://dod-graph.microsoft.us',
		);
		expect(resolveCloudEndpoints({ cloud: 'usGcc' }).apis.defenderXdr).toBe(
			'https://api-gcc.security.microsoft.us',
		);
	});

	it('matches a URL to the API whose base is the longest prefix, and nothing else', () => {
		const endpoints = resolveCloudEndpoints({
			cloud: 'custom',
			authorityUrl: 'https://login.example',
			defenderApiUrl: 'https://api.example/',
			graphApiUrl: 'https://api.example/graph',
			endpointApiUrl: 'https://mde.example',
		});
		expect(endpoints.apis.defenderXdr).toBe('https://api.example');
		expect(apiOfUrl(endpoints, 'https://api.example/graph/v1.0/security/incidents')).toBe('graph');
		expect(apiOfUrl(endpoints, 'https://api.example/api/incidents')).toBe('defenderXdr');
		expect(apiOfUrl(endpoints, 'https://api.example.evil/api/incidents')).toBeUndefined();
		expect(apiOfUrl(endpoints, 'https://attacker.example/api')).toBeUndefined();
	});
});

describe('errors', () => {
	it('redacts secrets, bearer tokens, JWTs and private keys', () => {
		const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl';
		const text = `secret=Abc~123-secret Authorization: Bearer ${jwt} raw ${jwt} -----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----`;
		const clean = redact(text, ['Abc~123-secret']);
		expect(clean).not.toContain('Abc~123-secret');
		expect(clean).not.toContain('eyJzdWIiOiIxIn0');
		expect(clean).not.toContain('MIIE');
	});

	it('reads the service message from every error shape Microsoft APIs use', () => {
		expect(serviceMessage({ error: { code: 'BadRequest', message: 'Invalid filter' } })).toEqual({
			code: 'BadRequest',
			message: 'Invalid filter',
		});
		expect(
			serviceMessage({ error: 'invalid_request', error_description: 'AADSTS90002: nope' }),
		).toEqual({ code: 'invalid_request', message: 'AADSTS90002: nope' });
		expect(serviceMessage({ Message: 'Legacy shape' })).toEqual({
			code: undefined,
			message: 'Legacy shape',
		});
		expect(serviceMessage('not an object')).toEqual({});
	});

	it('reads Retry-After in seconds and as an HTTP date', () => {
		expect(parseRetryAfter('7')).toBe(7000);
		expect(parseRetryAfter('0.5')).toBe(500);
		expect(parseRetryAfter(new Date(Date.now() + 3000).toUTCString(), Date.now())).toBeGreaterThan(
			1500,
		);
		expect(parseRetryAfter(undefined)).toBeUndefined();
		expect(parseRetryAfter('soon')).toBeUndefined();
	});
});

describe('JSON', () => {
	it('keeps integers beyond 2^53 exact, and leaves strings that look like numbers alone', () => {
		const parsed = parseJsonText(
			'{"a":9007199254740993,"b":"12345678901234567890","c":[-90071992547409931,1.5e300,42]}',
			true,
		) as Record<string, unknown>;
		expect(parsed).toEqual({
			a: '9007199254740993',
			b: '12345678901234567890',
			c: ['-90071992547409931', 1.5e300, 42],
		});
		expect(parseJsonText('{"a":9007199254740993}')).toEqual({ a: 9007199254740992 });
	});
});

describe('client-side quota', () => {
	it('never lets more than the limit finish inside any window, and serves waiters in order', async () => {
		const key = `unit-${Math.random()}`;
		const windows = [{ limit: 5, windowMs: 400 }];
		const finished: number[] = [];
		const order: number[] = [];
		await Promise.all(
			Array.from({ length: 12 }, async (_, index) => {
				const release = await acquireQuotaSlot(key, windows);
				order.push(index);
				release();
				finished.push(Date.now());
			}),
		);
		expect(order).toEqual([...Array(12).keys()]);
		for (const time of finished) {
			expect(
				finished.filter((other) => other > time - 400 && other <= time).length,
			).toBeLessThanOrEqual(5);
		}
	});
});

describe('quota windows', () => {
	it("keep Microsoft's documented quotas, scaled by the window and shared between processes", () => {
		expect(quotaWindows('incidentList', 60_000)).toEqual([
			{ limit: 50, windowMs: 60_000 },
			{ limit: 1500, windowMs: 3_600_000 },
		]);
		expect(quotaWindows('hunting', 5_000)).toEqual([{ limit: 45, windowMs: 5_000 }]);
		expect(quotaWindows('incidentList', 60_000, 3)).toEqual([
			{ limit: 16, windowMs: 60_000 },
			{ limit: 500, windowMs: 3_600_000 },
		]);
	});

	it('refuses to wait longer than the caller allows, and the next caller is still served', async () => {
		const key = `unit-${Math.random()}`;
		const windows = [{ limit: 1, windowMs: 60_000 }];
		(await acquireQuotaSlot(key, windows, 1000))();
		await expect(acquireQuotaSlot(key, windows, 1000)).rejects.toBeInstanceOf(QuotaExhaustedError);
		const other = await acquireQuotaSlot(`${key}-other`, windows, 1000);
		other();
	});
});
