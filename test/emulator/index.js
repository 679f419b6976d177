// @ts-check
'use strict';
// A local HTTPS emulator of Entra ID token endpoints and the Microsoft Defender APIs, for tests,
// the demo and the benchmark. See README.md in this folder for the contract.
const https = require('node:https');
const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');
const { HttpError, sendJson, readJson, readBytes } = require('./util');
const { createIdentity } = require('./identity');
const { createIncidents } = require('./incidents');
const { createHunting } = require('./hunting');
const { createPhishing } = require('./phishing');
const { createMachines } = require('./machines');
const { createAlerts } = require('./alerts');
const { createIndicators } = require('./indicators');
const { createLiveResponse } = require('./liveResponse');
const { createEnrichment } = require('./enrichment');
const { createTvm } = require('./tvm');
const { createIdentityAccounts } = require('./identityAccounts');
const { createOpenAi } = require('./openai');
const { createTraffic } = require('./faults');
const { handleControl } = require('./control');
const { findEndpoint, validateRequest } = require('../contracts');

/**
 * @typedef {{ tenantId: string, appid: string, query: URLSearchParams, params: string[],
 *   res: import('node:http').ServerResponse, body: () => Promise<any>, raw: (max?: number) => Promise<Buffer>,
 *   headers: import('node:http').IncomingHttpHeaders }} RouteContext
 * @typedef {{ api: 'xdr' | 'graph' | 'mde', method: string, path: RegExp, category: string, roles: string[],
 *   handle: (ctx: RouteContext) => unknown }} Route handle returns the 200 JSON body, or undefined when it answered itself
 */

const FIXTURES = path.join(__dirname, '..', 'fixtures');
const CA_FILE = path.join(FIXTURES, 'tls', 'emulator-cert.pem');
const UNAUTHORIZED_CODE = {
	xdr: 'Unauthorized',
	graph: 'InvalidAuthenticationToken',
	mde: 'Unauthorized',
};
const STATUS_CODES = /** @type {Record<number, string>} */ ({
	400: 'BadRequest',
	401: 'Unauthorized',
	403: 'Forbidden',
	404: 'NotFound',
	405: 'MethodNotAllowed',
	409: 'Conflict',
	429: 'TooManyRequests',
	500: 'InternalServerError',
	502: 'BadGateway',
	503: 'ServiceUnavailable',
	504: 'GatewayTimeout',
});
const PROXY_PAGE =
	'<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>Microsoft-Azure-Application-Gateway/v2</center>\r\n</body>\r\n</html>\r\n';

/** @param {string} pathname @returns {import('./faults').Api} */
function apiOf(pathname) {
	const first = pathname.split('/')[1];
	return first === 'xdr' ||
		first === 'graph' ||
		first === 'mde' ||
		first === 'blob' ||
		first === 'openai'
		? first
		: 'login';
}

/**
 * The tenant a request concerns, for the log only: the login path's tenant, or the unverified
 * `tid` of the Bearer token.
 * @param {import('node:http').IncomingMessage} req @param {import('./faults').Api} api @param {string} pathname
 */
function tenantForLog(req, api, pathname) {
	if (api === 'login') return pathname.split('/')[1] || null;
	if (api === 'blob') return pathname.split('/')[2] || null;
	try {
		const token = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '';
		return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')).tid ?? null;
	} catch {
		return null;
	}
}

/**
 * Writes an error in the shape of the API that failed.
 * @param {import('node:http').ServerResponse} res @param {import('./faults').Api} api @param {HttpError} err
 * @param {import('node:http').IncomingMessage} req
 */
function sendError(res, api, err, req) {
	let body;
	if (api === 'login') {
		body = {
			error: err.status >= 500 ? 'temporarily_unavailable' : 'invalid_request',
			error_description: err.message,
		};
	} else if (api === 'openai') {
		body = { error: { message: err.message, type: err.code, param: null, code: err.code } };
	} else if (api === 'graph') {
		const clientRequestId = req.headers['client-request-id'];
		body = {
			error: {
				code: err.code,
				message: err.message,
				innerError: {
					date: new Date().toISOString().replace(/\.\d+Z$/, ''),
					'request-id': crypto.randomUUID(),
					'client-request-id':
						typeof clientRequestId === 'string' ? clientRequestId : crypto.randomUUID(),
				},
			},
		};
	} else {
		body = { error: { code: err.code, message: err.message, target: crypto.randomUUID() } };
	}
	sendJson(res, err.status, body, err.headers);
}

/**
 * Another origin (same host, another port) that records whether a request carried credentials:
 * what a redirect from the API would lead a client to. It answers an empty list.
 * @param {Set<import('node:stream').Duplex>} sockets
 */
async function startElsewhere(sockets) {
	/** @type {{ method: string, path: string, authorization: boolean }[]} */
	const requests = [];
	const server = https.createServer(
		{
			key: fs.readFileSync(path.join(FIXTURES, 'tls', 'emulator-key.pem')),
			cert: fs.readFileSync(CA_FILE),
		},
		(req, res) => {
			requests.push({
				method: req.method ?? 'GET',
				path: req.url ?? '/',
				authorization: req.headers.authorization !== undefined,
			});
			sendJson(res, 200, { value: [] });
		},
	);
	server.on('connection', (socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});
	await new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => resolve(undefined));
	});
	return {
		server,
		url: `https://127.0.0.1:${/** @type {import('node:net').AddressInfo} */ (server.address()).port}`,
		requests,
	};
}

/**
 * @param {{ port?: number, latencyMs?: [number, number] }} [options]
 */
async function startEmulator({ port = 0, latencyMs = [0, 0] } = {}) {
	/** @type {Set<import('node:stream').Duplex>} */
	const sockets = new Set();
	/** @type {Set<NodeJS.Timeout>} */
	const timers = new Set();
	/** @type {(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => Promise<void>} */
	let handle = async () => {};
	const server = https.createServer(
		{
			key: fs.readFileSync(path.join(FIXTURES, 'tls', 'emulator-key.pem')),
			cert: fs.readFileSync(CA_FILE),
		},
		(req, res) => {
			handle(req, res).catch((err) => {
				if (!res.headersSent)
					sendJson(res, 500, {
						error: { code: 'InternalServerError', message: String(err?.stack ?? err) },
					});
				else res.destroy();
			});
		},
	);
	server.on('connection', (socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});
	await new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, '127.0.0.1', () => resolve(undefined));
	});

	const url = `https://127.0.0.1:${/** @type {import('node:net').AddressInfo} */ (server.address()).port}`;
	const elsewhere = await startElsewhere(sockets);
	const apiBases = { xdr: `${url}/xdr`, graph: `${url}/graph`, mde: `${url}/mde` };
	const identity = createIdentity({ url, apiBases });
	const { getTenant } = identity;
	// Alerts and machines point at each other: an alert on a known machine gets its id, and a new
	// machine adopts the id that alerts already give its DNS name.
	const incidents = createIncidents({
		apiBases,
		getTenant,
		machineIdOf: (tenantId, dnsName) => machines.findByDnsName(tenantId, dnsName)?.id,
	});
	const machines = createMachines({
		apiBases,
		getTenant,
		deviceIdOf: (tenantId, dnsName) =>
			incidents
				.alertEntries(tenantId)
				.find((e) => e.alert.device.dnsName.toLowerCase() === dnsName.toLowerCase())?.alert.device
				.id,
	});
	const alerts = createAlerts({ apiBases, incidents, machines });
	const indicators = createIndicators({ apiBases, getTenant });
	const hunting = createHunting({ apiBases, getTenant, alertEntries: incidents.alertEntries });
	const phishing = createPhishing({ alerts, incidents, hunting });
	const liveResponse = createLiveResponse({ url, apiBases, getTenant, machines });
	const enrichment = createEnrichment({ apiBases, getTenant, machines, alerts });
	const tvm = createTvm({ apiBases, getTenant, machines });
	const identityAccounts = createIdentityAccounts({ apiBases, getTenant });
	const openAi = createOpenAi();
	const traffic = createTraffic();
	// Routes under /machines/{id}/… and /machines/findbyip(…) come before the device routes, which take any segment as an ID.
	/** @type {Route[]} */
	const routes = [
		...liveResponse.routes,
		...enrichment.routes,
		...tvm.routes,
		...incidents.routes,
		...hunting.routes,
		...machines.routes,
		...alerts.routes,
		...indicators.routes,
		...identityAccounts.routes,
	];
	let latency = latencyMs;

	/** A delay that stop() cancels, so that no timer keeps the process alive. @param {number} ms */
	const sleep = (ms) =>
		new Promise((resolve) => {
			if (ms <= 0) return resolve(undefined);
			const timer = setTimeout(() => {
				timers.delete(timer);
				resolve(undefined);
			}, ms);
			timers.add(timer);
		});

	handle = async (req, res) => {
		const reqUrl = new URL(req.url ?? '/', url);
		if (reqUrl.pathname.startsWith('/_emulator/')) {
			await handleControl(control, req, res, reqUrl.pathname.slice('/_emulator/'.length));
			return;
		}
		const method = req.method ?? 'GET';
		const api = apiOf(reqUrl.pathname);
		const entry = traffic.record({
			method,
			api,
			path: reqUrl.pathname,
			query: Object.fromEntries(reqUrl.searchParams),
			tenant: tenantForLog(req, api, reqUrl.pathname),
			status: 0,
			at: new Date().toISOString(),
		});
		res.on('finish', () => {
			entry.status = res.statusCode;
		});
		await sleep(latency[0] + Math.random() * (latency[1] - latency[0]));

		const fault = traffic.takeFault(method, api, reqUrl.pathname + reqUrl.search);
		if (fault) {
			entry.fault = Object.keys(fault).find((k) => k !== 'body' && k !== 'headers');
			if (fault.delayMs !== undefined) await sleep(fault.delayMs);
			else return answerFault(fault, api, req, res);
		}
		try {
			if (api === 'login') await identity.handleLogin(req, res, reqUrl);
			else if (api === 'blob') liveResponse.serveBlob(req, res, reqUrl);
			else if (api === 'openai')
				await openAi.handle(req, res, reqUrl.pathname.slice('/openai'.length));
			else await serveApi(api, method, reqUrl, req, res);
		} catch (err) {
			if (!(err instanceof HttpError)) throw err;
			sendError(res, api, err, req);
		}
	};

	/**
	 * Authentication, quota, routing and permission checks, then the route.
	 * @param {'xdr' | 'graph' | 'mde'} api @param {string} method @param {URL} reqUrl
	 * @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res
	 */
	async function serveApi(api, method, reqUrl, req, res) {
		const claims = identity.verifyAccessToken(
			req.headers.authorization,
			api,
			UNAUTHORIZED_CODE[api],
		);
		const subPath = reqUrl.pathname.slice(api.length + 1);
		const samePath = routes.filter((r) => r.api === api && r.path.test(subPath));
		const route = samePath.find((r) => r.method === method);
		// Unknown Defender for Endpoint paths count against its quota too (the service's limit is per app, not per route).
		const category = route?.category ?? (api === 'mde' ? 'mde' : undefined);
		if (category) traffic.checkQuota(claims.tid, api, category);
		if (!route) {
			if (samePath.length)
				throw new HttpError(
					405,
					'MethodNotAllowed',
					`The requested resource does not support http method '${method}'.`,
				);
			throw new HttpError(404, 'NotFound', `Resource not found for the segment '${subPath}'.`);
		}
		// The permissions Microsoft's page lists for the endpoint (test/contracts), else the route's.
		/** @type {string[]} */
		const roles = findEndpoint(api, method, subPath)?.permissions ?? route.roles;
		if (!roles.some((role) => claims.roles?.includes(role))) {
			throw new HttpError(
				403,
				'Forbidden',
				`The application '${claims.appid}' is missing application permission(s): ${roles.join(' or ')}. Grant the permission to the app and give admin consent in tenant '${claims.tid}'.`,
			);
		}
		// Microsoft's contract (test/contracts) decides what a request may carry, before any route sees it.
		const json = /multipart\//i.test(req.headers['content-type'] ?? '')
			? undefined
			: await readJson(req);
		const refused = validateRequest(api, method, subPath, reqUrl.searchParams, json);
		if (refused) throw new HttpError(refused.status, refused.code, refused.message);
		/** @type {RouteContext} */
		const ctx = {
			tenantId: claims.tid,
			appid: claims.appid,
			query: reqUrl.searchParams,
			params: (route.path.exec(subPath) ?? []).slice(1).map(decodeURIComponent),
			res,
			body: async () => json ?? {},
			raw: (max) => readBytes(req, max),
			headers: req.headers,
		};
		const body = await route.handle(ctx);
		if (body !== undefined) sendJson(res, 200, body);
	}

	/**
	 * @param {import('./faults').Fault} fault @param {import('./faults').Api} api
	 * @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res
	 */
	function answerFault(fault, api, req, res) {
		if (fault.redirect) {
			res.writeHead(302, {
				location: `${elsewhere.url}${req.url ?? '/'}`,
				'content-length': '0',
				...fault.headers,
			});
			res.end();
		} else if (fault.reset) {
			req.socket.destroy();
		} else if (fault.malformedJson) {
			res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
			res.end(
				'{"@odata.context":"$metadata#Incidents","value":[{"incidentId":1,"incidentName":"Trunc',
			);
		} else if (fault.html) {
			res.writeHead(502, { 'content-type': 'text/html' });
			res.end(PROXY_PAGE);
		} else if (fault.status !== undefined) {
			const headers = {
				...(fault.status === 429 || fault.status === 503 ? { 'retry-after': '1' } : {}),
				...fault.headers,
			};
			if (fault.body === undefined) {
				sendError(
					res,
					api,
					new HttpError(
						fault.status,
						STATUS_CODES[fault.status] ?? 'Error',
						`Injected fault (HTTP ${fault.status})`,
						headers,
					),
					req,
				);
			} else if (typeof fault.body === 'string') {
				res.writeHead(fault.status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
				res.end(fault.body);
			} else {
				sendJson(res, fault.status, fault.body, headers);
			}
		}
		// hang: no answer at all; stop() destroys the socket.
	}

	/**
	 * A tenant, an app with a secret and the client certificate, all permissions, 25 incidents (one alert
	 * each), 3 machines (the first is the device of the oldest incident's alert) and 3 more alerts on them.
	 */
	function seedDemo() {
		const tenant = identity.addTenant({
			id: 'b2d8f3e4-5a6c-4d7e-8f90-1a2b3c4d5e6f',
			domains: ['contoso.example'],
		});
		const clientSecret = `demo~${crypto.randomBytes(24).toString('base64url')}`;
		const app = identity.addApp({
			clientId: 'c3e9a4f5-6b7d-4e8f-9a01-2b3c4d5e6f70',
			displayName: 'n8n Defender demo',
			secrets: [{ value: clientSecret }],
			certificates: [
				{ certPem: fs.readFileSync(path.join(FIXTURES, 'client', 'client-cert.pem'), 'utf8') },
			],
		});
		identity.consent({
			tenantId: tenant.id,
			clientId: app.clientId,
			roles: {
				xdr: ['Incident.ReadWrite.All', 'AdvancedHunting.Read.All'],
				graph: [
					'SecurityIncident.ReadWrite.All',
					'ThreatHunting.Read.All',
					'SecurityAlert.ReadWrite.All',
					'SecurityIdentitiesAccount.Read.All',
					'SecurityIdentitiesActions.ReadWrite.All',
					'User.Read.All',
					'User.EnableDisableAccount.All',
					'User.RevokeSessions.All',
				],
				mde: [
					'Machine.ReadWrite.All',
					'Machine.Isolate',
					'Machine.Scan',
					'Machine.RestrictExecution',
					'Machine.CollectForensics',
					'Machine.StopAndQuarantine',
					'Machine.Offboard',
					'Alert.ReadWrite.All',
					'Ti.ReadWrite.All',
					'Machine.LiveResponse',
					'Library.Manage',
					'User.Read.All',
					'File.Read.All',
					'Ip.Read.All',
					'URL.Read.All',
					'Vulnerability.Read.All',
					'Software.Read.All',
					'SecurityRecommendation.Read.All',
					'Score.Read.All',
				],
			},
		});
		const seeded = incidents.seedIncidents(tenant.id, 25);
		const workstation = machines.addMachine(tenant.id, {
			computerDnsName: seeded[0].alerts[0].device.dnsName,
			riskScore: 'High',
			exposureLevel: 'Medium',
			machineTags: ['demo'],
		});
		const server = machines.addMachine(tenant.id, {
			computerDnsName: 'srv-db01.contoso.local',
			osPlatform: 'WindowsServer2022',
			version: '21H2',
			osBuild: 20348,
			riskScore: 'Medium',
			exposureLevel: 'High',
		});
		const laptop = machines.addMachine(tenant.id, {
			computerDnsName: 'mac-lab02.contoso.local',
			osPlatform: 'macOS',
			version: null,
			osBuild: null,
			healthStatus: 'Inactive',
			riskScore: 'Low',
			isAadJoined: false,
			aadDeviceId: null,
		});
		// Added to seeded incidents at their creation time, which leaves the incidents' lastUpdateTime alone.
		const extra = [
			{
				on: workstation,
				title: 'Suspicious PowerShell download cradle',
				severity: 'High',
				category: 'Execution',
			},
			{
				on: server,
				title: 'Credential dumping from LSASS memory',
				severity: 'High',
				category: 'CredentialAccess',
				status: 'InProgress',
				assignedTo: 'analyst@contoso.com',
			},
			{
				on: laptop,
				title: 'Unwanted software detected',
				severity: 'Low',
				category: 'Malware',
				status: 'Resolved',
				classification: 'FalsePositive',
				determination: 'NotMalicious',
			},
		];
		extra.forEach(({ on, ...fields }, i) => {
			const incident = seeded[24 - i];
			alerts.createAlert(tenant.id, {
				...fields,
				incidentId: incident.id,
				machineId: on.id,
				createdTime: incident.createdTime,
			});
		});
		seedInvestigateDemo(tenant.id, { workstation, server });
		return {
			tenantId: tenant.id,
			tenantDomain: tenant.domains[0],
			clientId: app.clientId,
			clientSecret,
			certificateThumbprint: app.certificates[0].thumbprint,
		};
	}

	/**
	 * What the investigate and respond operations find in the demo: logged-on users, a file, an IP and a
	 * domain seen on the devices, vulnerabilities, software, a recommendation, an exposure score, an
	 * investigation, a library script, and identity accounts for the User actions.
	 * @param {string} tenantId @param {{ workstation: { id: string }, server: { id: string } }} devices
	 */
	function seedInvestigateDemo(tenantId, { workstation, server }) {
		const both = [workstation.id, server.id];
		enrichment.setLogonUsers(tenantId, workstation.id, [
			{ accountName: 'jdoe', accountDomain: 'contoso' },
			{ accountName: 'svc-backup', accountDomain: 'contoso', logonTypes: 'Service' },
		]);
		enrichment.setLogonUsers(tenantId, server.id, [
			{ accountName: 'jdoe', accountDomain: 'contoso', isDomainAdmin: true },
		]);
		enrichment.addFile(tenantId, {
			sha1: '5d41402abc4b2a76b9719d911017c592aef4a1e3',
			sha256: '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824',
			fileName: 'invoice-viewer.exe',
			determinationType: 'Malware',
			determinationValue: 'Trojan:Win32/Demo',
			globalPrevalence: 3,
			machineIds: both,
			orgFirstSeen: new Date(Date.now() - 2 * 86_400_000).toISOString(),
			orgLastSeen: new Date().toISOString(),
		});
		enrichment.addIp(tenantId, {
			ip: '203.0.113.66',
			machineIds: both,
			orgFirstSeen: new Date(Date.now() - 86_400_000).toISOString(),
			orgLastSeen: new Date().toISOString(),
		});
		enrichment.addDomain(tenantId, {
			domain: 'malicious.example',
			machineIds: [workstation.id],
			orgFirstSeen: new Date(Date.now() - 86_400_000).toISOString(),
			orgLastSeen: new Date().toISOString(),
		});
		tvm.addVulnerability(tenantId, {
			id: 'CVE-2024-21412',
			name: 'Internet Shortcut Files Security Feature Bypass',
			severity: 'High',
			cvssV3: 8.1,
			publicExploit: true,
			exploitVerified: true,
			machineIds: both,
		});
		tvm.addVulnerability(tenantId, {
			id: 'CVE-2025-0611',
			name: 'Chrome V8 object corruption',
			severity: 'Critical',
			cvssV3: 9.6,
			machineIds: [workstation.id],
		});
		tvm.addSoftware(tenantId, {
			vendor: 'google',
			name: 'chrome',
			machineIds: [workstation.id],
			vulnerabilityIds: ['CVE-2025-0611'],
			missingKbs: [],
		});
		tvm.addSoftware(tenantId, {
			vendor: 'microsoft',
			name: 'windows_server_2022',
			machineIds: [server.id],
			vulnerabilityIds: ['CVE-2024-21412'],
			missingKbs: [
				{
					id: '5034129',
					name: 'January 2024 Security Updates',
					osBuild: 20348,
					productsNames: ['windows_server_2022'],
					url: 'https://support.microsoft.com/help/5034129',
					machineMissedOn: 1,
					cveAddressed: 1,
				},
			],
		});
		tvm.addRecommendation(tenantId, {
			id: 'va-_-google-_-chrome',
			productName: 'chrome',
			recommendationName: 'Update Google Chrome',
			vendor: 'google',
			severityScore: 8,
			machineIds: [workstation.id],
		});
		tvm.setExposureScore(tenantId, 42.5);
		tvm.addInvestigation(tenantId, { machineId: workstation.id, state: 'PendingApproval' });
		liveResponse.addLibraryFile(tenantId, {
			fileName: 'collect-triage.ps1',
			content: 'Get-Process | Select-Object -First 20\n',
			description: 'Lists running processes',
			hasParameters: false,
		});
		identityAccounts.addIdentityAccount(tenantId, {
			displayName: 'jdoe',
			domain: 'contoso.local',
			upn: 'jdoe@contoso.example',
			accounts: [{ provider: 'ActiveDirectory' }, { provider: 'EntraID' }],
		});
		identityAccounts.addIdentityAccount(tenantId, {
			displayName: 'ceo',
			domain: 'contoso.local',
			upn: 'ceo@contoso.example',
			accounts: [{ provider: 'ActiveDirectory' }, { provider: 'EntraID' }],
		});
		identityAccounts.addIdentityAccount(tenantId, {
			displayName: 'contractor7',
			domain: 'contoso.local',
			accounts: [{ provider: 'Okta' }],
		});
	}

	const control = {
		addTenant: identity.addTenant,
		addApp: identity.addApp,
		consent: identity.consent,
		revokeConsent: identity.revokeConsent,
		rotateSecret: identity.rotateSecret,
		setTokenLifetime: identity.setTokenLifetime,
		revokeTokens: identity.revokeTokens,
		seedIncidents: incidents.seedIncidents,
		createIncident: incidents.createIncident,
		updateIncident: incidents.updateIncident,
		getIncident: incidents.getIncident,
		listIncidents: incidents.listIncidents,
		addMachine: machines.addMachine,
		getMachine: machines.getMachine,
		listMachines: machines.listMachines,
		getMachineAction: machines.getMachineAction,
		listMachineActions: machines.listMachineActions,
		addMachineAction: machines.addMachineAction,
		setActionTimeline: machines.setActionTimeline,
		createAlert: alerts.createAlert,
		updateAlert: alerts.updateAlert,
		getAlert: alerts.getAlert,
		listAlerts: alerts.listAlerts,
		seedTriageIncident: alerts.seedTriageIncident,
		seedPhishingIncident: phishing.seedPhishingIncident,
		listIndicators: indicators.listIndicators,
		getIndicator: indicators.getIndicator,
		setHuntingTable: hunting.setHuntingTable,
		addLibraryFile: liveResponse.addLibraryFile,
		listLibraryFiles: liveResponse.listLibraryFiles,
		setDeviceFile: liveResponse.setDeviceFile,
		setScriptResult: liveResponse.setScriptResult,
		setLinkLifetime: liveResponse.setLinkLifetime,
		investigationPackage: liveResponse.investigationPackage,
		addFile: enrichment.addFile,
		addIp: enrichment.addIp,
		addDomain: enrichment.addDomain,
		setLogonUsers: enrichment.setLogonUsers,
		addIpAssignment: enrichment.addIpAssignment,
		addVulnerability: tvm.addVulnerability,
		seedVulnerabilities: tvm.seedVulnerabilities,
		addSoftware: tvm.addSoftware,
		addRecommendation: tvm.addRecommendation,
		setExposureScore: tvm.setExposureScore,
		addInvestigation: tvm.addInvestigation,
		addIdentityAccount: identityAccounts.addIdentityAccount,
		addEntraUser: identityAccounts.addEntraUser,
		identityActions: identityAccounts.identityActions,
		entraUserChanges: identityAccounts.entraUserChanges,
		getEntraUser: identityAccounts.getEntraUser,
		getIdentityAccount: identityAccounts.getIdentityAccount,
		setModelScript: openAi.setModelScript,
		modelExchanges: openAi.modelExchanges,
		setQuota: traffic.setQuota,
		clearQuotas: traffic.clearQuotas,
		injectFault: traffic.injectFault,
		clearFaults: traffic.clearFaults,
		requests: () => traffic.requests,
		count: traffic.count,
		resetCounters: traffic.resetCounters,
		setLatency: (/** @type {[number, number]} */ range) => {
			latency = range;
		},
		seedDemo,
	};

	return {
		url,
		authorityUrl: url,
		defenderApiUrl: apiBases.xdr,
		graphApiUrl: apiBases.graph,
		endpointApiUrl: apiBases.mde,
		/** Base URL of the scripted OpenAI-compatible model (an OpenAI credential's Base URL). */
		openAiBaseUrl: `${url}/openai/v1`,
		controlUrl: `${url}/_emulator`,
		/** The second listener that `{ redirect: true }` faults point at, and what reached it. */
		elsewhere,
		caFile: CA_FILE,
		...control,
		/** Every request so far (not control calls), oldest first. */
		get requests() {
			return traffic.requests;
		},
		/** Closes the server and destroys open sockets, including hung requests. */
		async stop() {
			for (const timer of timers) clearTimeout(timer);
			timers.clear();
			const closed = Promise.all(
				[server, elsewhere.server].map(
					(listener) => new Promise((resolve) => listener.close(() => resolve(undefined))),
				),
			);
			for (const socket of sockets) socket.destroy();
			await closed;
		},
	};
}

/** @typedef {Awaited<ReturnType<typeof startEmulator>>} Emulator */

module.exports = { startEmulator };
