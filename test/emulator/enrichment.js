// @ts-check
'use strict';
// Defender for Endpoint enrichment: files, IPs and domains seen in the organisation (statistics, devices,
// alerts), users logged on to devices, devices by account name, and find-by-IP.
const net = require('node:net');
const { HttpError, toApiTime } = require('./util');

/**
 * @typedef {{ sha1: string, sha256: string, md5: string | null, fileName: string, size: number, fileType: string | null,
 *   isPeFile: boolean, signer: string | null, issuer: string | null, isValidCertificate: boolean | null, filePublisher: string | null,
 *   fileProductName: string | null, determinationType: string, determinationValue: string, globalPrevalence: number,
 *   globalFirstObserved: string, globalLastObserved: string, machineIds: string[], alertIds: string[], topFileNames: string[],
 *   orgFirstSeen: string | null, orgLastSeen: string | null }} FileRecord
 * @typedef {{ value: string, machineIds: string[], alertIds: string[], orgFirstSeen: string | null, orgLastSeen: string | null }} Observable
 * @typedef {{ id: string, accountName: string, accountDomain: string, accountSid: string | null, firstSeen: string, lastSeen: string,
 *   logonTypes: string, isDomainAdmin: boolean, isOnlyNetworkUser: boolean }} LogonUser
 * @typedef {import('./index').RouteContext} RouteContext
 */

const SHA1 = /^[0-9a-f]{40}$/i;
const SHA256 = /^[0-9a-f]{64}$/i;
const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,63}$/i;
const MAX_LOOKBACK_HOURS = 720;
const FIND_BY_IP_WINDOW_MS = 15 * 60_000;
const FIND_BY_IP_MAX_AGE_MS = 30 * 86_400_000;
const MAX_DOMAIN_MACHINES = 500;
const READ_MACHINES = ['Machine.Read.All', 'Machine.ReadWrite.All'];
const READ_ALERTS = ['Alert.Read.All', 'Alert.ReadWrite.All'];

/**
 * @param {{ apiBases: Record<'mde', string>, getTenant: (idOrDomain: string) => { id: string },
 *   machines: ReturnType<typeof import('./machines').createMachines>,
 *   alerts: ReturnType<typeof import('./alerts').createAlerts> }} options
 */
function createEnrichment({ apiBases, getTenant, machines, alerts }) {
	/** @type {Map<string, { files: FileRecord[], ips: Map<string, Observable>, domains: Map<string, Observable>,
	 *   logons: Map<string, LogonUser[]>, ipHistory: { machineId: string, ip: string, atMs: number }[] }>} */
	const stores = new Map();

	/** @param {string} tenantIdOrDomain */
	function storeOf(tenantIdOrDomain) {
		const tenantId = getTenant(tenantIdOrDomain).id;
		let store = stores.get(tenantId);
		if (!store) {
			store = { files: [], ips: new Map(), domains: new Map(), logons: new Map(), ipHistory: [] };
			stores.set(tenantId, store);
		}
		return store;
	}

	// ---- control functions ----

	/**
	 * A file known to Defender (sha1 and sha256 required); `machineIds` are the devices it was seen on.
	 * @param {string} tenantId @param {Partial<FileRecord> & { sha1: string, sha256: string }} fields
	 */
	function addFile(tenantId, fields) {
		if (!SHA1.test(fields.sha1) || !SHA256.test(fields.sha256))
			throw new Error('A file needs sha1 (40 hex) and sha256 (64 hex)');
		/** @type {FileRecord} */
		const file = {
			md5: null,
			fileName: 'file.exe',
			size: 1024,
			fileType: 'PortableExecutable',
			isPeFile: true,
			signer: null,
			issuer: null,
			isValidCertificate: null,
			filePublisher: null,
			fileProductName: null,
			determinationType: 'Unknown',
			determinationValue: '',
			globalPrevalence: 1,
			globalFirstObserved: toApiTime(Date.now() - 7 * 86_400_000),
			globalLastObserved: toApiTime(),
			machineIds: [],
			alertIds: [],
			topFileNames: [],
			orgFirstSeen: null,
			orgLastSeen: null,
			...fields,
			sha1: fields.sha1.toLowerCase(),
			sha256: fields.sha256.toLowerCase(),
		};
		if (file.topFileNames.length === 0) file.topFileNames = [file.fileName];
		const store = storeOf(tenantId);
		store.files = store.files.filter((f) => f.sha1 !== file.sha1).concat([file]);
		return structuredClone(file);
	}

	/** @param {'ips' | 'domains'} kind @param {string} tenantId @param {Partial<Observable> & { value: string }} fields */
	function addObservable(kind, tenantId, fields) {
		const observable = {
			machineIds: [],
			alertIds: [],
			orgFirstSeen: null,
			orgLastSeen: null,
			...fields,
			value: fields.value.toLowerCase(),
		};
		storeOf(tenantId)[kind].set(observable.value, observable);
		return structuredClone(observable);
	}

	/** Users seen logged on to a device (replaces the device's list). @param {string} tenantId @param {string} machineId @param {Partial<LogonUser>[]} users */
	function setLogonUsers(tenantId, machineId, users) {
		machines.find(tenantId, machineId);
		const list = users.map((user) => {
			const accountName = user.accountName ?? 'user';
			const accountDomain = user.accountDomain ?? 'contoso';
			return {
				id: `${accountDomain}\\${accountName}`,
				accountSid: null,
				firstSeen: toApiTime(Date.now() - 86_400_000),
				lastSeen: toApiTime(),
				logonTypes: 'Interactive',
				isDomainAdmin: false,
				isOnlyNetworkUser: false,
				...user,
				accountName,
				accountDomain,
			};
		});
		storeOf(tenantId).logons.set(machineId.toLowerCase(), list);
		return structuredClone(list);
	}

	/** The device used `ip` at `at` (besides its lastIpAddress at lastSeen). @param {string} tenantId @param {string} machineId @param {string} ip @param {string | number} at */
	function addIpAssignment(tenantId, machineId, ip, at) {
		machines.find(tenantId, machineId);
		storeOf(tenantId).ipHistory.push({
			machineId: machineId.toLowerCase(),
			ip,
			atMs: new Date(at).getTime(),
		});
	}

	// ---- helpers ----

	/** @param {string} tenantId @param {string[]} ids */
	const machinesById = (tenantId, ids) =>
		ids.map((id) => machines.getMachine(tenantId, id)).filter((m) => m !== null);

	/** @param {URLSearchParams} query */
	function lookBack(query) {
		const raw = query.get('lookBackHours');
		if (raw === null) return MAX_LOOKBACK_HOURS;
		const hours = Number(raw);
		if (!Number.isInteger(hours) || hours < 1 || hours > MAX_LOOKBACK_HOURS) {
			throw new HttpError(
				400,
				'InvalidRequestBody',
				`lookBackHours must be a whole number from 1 to ${MAX_LOOKBACK_HOURS}: ${raw}`,
			);
		}
		return hours;
	}

	/** @param {string} tenantId @param {string} hash */
	function fileOf(tenantId, hash) {
		if (!SHA1.test(hash) && !SHA256.test(hash))
			throw new HttpError(
				400,
				'InvalidHashValue',
				`Hash value ${hash} is invalid: a SHA-1 is 40 hex digits, a SHA-256 64`,
			);
		const lower = hash.toLowerCase();
		return storeOf(tenantId).files.find((f) => f.sha1 === lower || f.sha256 === lower);
	}

	/** @param {string} hash */
	function sha1Only(hash) {
		if (!SHA1.test(hash))
			throw new HttpError(
				400,
				'InvalidHashValue',
				`Hash value ${hash} is invalid: this call takes a SHA-1 (40 hex digits)`,
			);
		return hash.toLowerCase();
	}

	/** @param {string} ip */
	function checkIp(ip) {
		if (net.isIP(ip) === 0)
			throw new HttpError(400, 'InvalidIpAddress', `IP address ${ip} is invalid`);
		return ip.toLowerCase();
	}

	/** @param {string} domain */
	function checkDomain(domain) {
		if (!DOMAIN.test(domain))
			throw new HttpError(400, 'InvalidDomainName', `Domain name ${domain} is invalid`);
		return domain.toLowerCase();
	}

	/** @param {string} typeName @param {unknown[]} value */
	const list = (typeName, value) => ({
		'@odata.context': `${apiBases.mde}/api/$metadata#${typeName}`,
		value,
	});

	/** @param {string} tenantId @param {Observable | undefined} observable */
	const alertsOf = (tenantId, observable) =>
		alerts.mdeAlertsWhere(tenantId, (alert) => observable?.alertIds.includes(alert.id) ?? false);

	/**
	 * findbyip(ip='…',timestamp=…): the IP quoted, the time not; devices that used the IP within ±15 minutes.
	 * @param {RouteContext} ctx
	 */
	function findByIp(ctx) {
		const args = /^ip='([^']*)',\s*timestamp=([^,)]+)$/i.exec(ctx.params[0].trim());
		if (!args)
			throw new HttpError(
				400,
				'InvalidRequestBody',
				`Expected findbyip(ip='<address>',timestamp=<ISO 8601 time>): ${ctx.params[0]}`,
			);
		const ip = checkIp(args[1]);
		const atMs = Date.parse(args[2]);
		if (Number.isNaN(atMs))
			throw new HttpError(400, 'InvalidRequestBody', `Invalid timestamp ${args[2]}`);
		if (Date.now() - atMs > FIND_BY_IP_MAX_AGE_MS)
			throw new HttpError(
				400,
				'InvalidRequestBody',
				'The timestamp must be within the last 30 days',
			);
		const near = (/** @type {number} */ ms) => Math.abs(ms - atMs) <= FIND_BY_IP_WINDOW_MS;
		const ids = new Set(
			storeOf(ctx.tenantId)
				.ipHistory.filter((h) => h.ip.toLowerCase() === ip && near(h.atMs))
				.map((h) => h.machineId),
		);
		// A device keeps its last IP from when it was last seen; an active one still has it now.
		for (const machine of machines.listMachines(ctx.tenantId)) {
			const seenMs = Date.parse(machine.lastSeen);
			const hadIt =
				near(seenMs) ||
				(machine.healthStatus === 'Active' &&
					atMs >= seenMs &&
					atMs <= Date.now() + FIND_BY_IP_WINDOW_MS);
			if (machine.lastIpAddress.toLowerCase() === ip && hadIt) ids.add(machine.id);
		}
		return list('Machines', machinesById(ctx.tenantId, [...ids]));
	}

	// ---- API routes (before the machine routes: /machines/findbyip(…) is not a device ID) ----

	/** @type {import('./index').Route[]} */
	const routes = [
		{
			api: 'mde',
			method: 'GET',
			path: /^\/api\/machines\/findbyip(?:\(|%28)(.*)(?:\)|%29)$/i,
			category: 'mde',
			roles: READ_MACHINES,
			handle: findByIp,
		},
		{
			api: 'mde',
			method: 'GET',
			path: /^\/api\/machines\/([^/]+)\/logonusers$/i,
			category: 'mde',
			roles: ['User.Read.All'],
			handle: (ctx) => {
				const machine = machines.find(ctx.tenantId, ctx.params[0]);
				return list('Users', storeOf(ctx.tenantId).logons.get(machine.id) ?? []);
			},
		},
		{
			api: 'mde',
			method: 'GET',
			path: /^\/api\/users\/([^/]+)\/machines$/i,
			category: 'mde',
			roles: ['Machine.ReadWrite.All'],
			handle: (ctx) => {
				const name = ctx.params[0].toLowerCase();
				const ids = [...storeOf(ctx.tenantId).logons.entries()]
					.filter(([, users]) => users.some((u) => u.accountName.toLowerCase() === name))
					.map(([id]) => id);
				return list('Machines', machinesById(ctx.tenantId, ids));
			},
		},
		{
			api: 'mde',
			method: 'GET',
			path: /^\/api\/files\/([^/]+)$/i,
			category: 'mde',
			roles: ['File.Read.All'],
			handle: (ctx) => {
				const file = fileOf(ctx.tenantId, ctx.params[0]);
				if (!file) throw new HttpError(404, 'NotFound', `File ${ctx.params[0]} not found`);
				const {
					machineIds,
					alertIds,
					topFileNames,
					orgFirstSeen,
					orgLastSeen,
					fileName,
					...record
				} = file;
				return { '@odata.context': `${apiBases.mde}/api/$metadata#Files/$entity`, ...record };
			},
		},
		{
			api: 'mde',
			method: 'GET',
			path: /^\/api\/files\/([^/]+)\/stats$/i,
			category: 'mde',
			roles: ['File.Read.All'],
			handle: (ctx) => {
				lookBack(ctx.query);
				const file = fileOf(ctx.tenantId, ctx.params[0]);
				return {
					'@odata.context': `${apiBases.mde}/api/$metadata#microsoft.windowsDefenderATP.api.InOrgFileStats`,
					sha1: file?.sha1 ?? (SHA1.test(ctx.params[0]) ? ctx.params[0].toLowerCase() : null),
					organizationPrevalence: file?.machineIds.length ?? 0,
					orgFirstSeen: file?.orgFirstSeen ?? null,
					orgLastSeen: file?.orgLastSeen ?? null,
					globalPrevalence: file?.globalPrevalence ?? 0,
					globalFirstObserved: file?.globalFirstObserved ?? null,
					globalLastObserved: file?.globalLastObserved ?? null,
					topFileNames: file?.topFileNames ?? [],
				};
			},
		},
		{
			api: 'mde',
			method: 'GET',
			path: /^\/api\/files\/([^/]+)\/machines$/i,
			category: 'mde',
			roles: READ_MACHINES,
			handle: (ctx) => {
				const sha1 = sha1Only(ctx.params[0]);
				return list(
					'Machines',
					machinesById(
						ctx.tenantId,
						storeOf(ctx.tenantId).files.find((f) => f.sha1 === sha1)?.machineIds ?? [],
					),
				);
			},
		},
		{
			api: 'mde',
			method: 'GET',
			path: /^\/api\/files\/([^/]+)\/alerts$/i,
			category: 'mde',
			roles: READ_ALERTS,
			handle: (ctx) => {
				const sha1 = sha1Only(ctx.params[0]);
				const file = storeOf(ctx.tenantId).files.find((f) => f.sha1 === sha1);
				return list(
					'Alerts',
					alerts.mdeAlertsWhere(
						ctx.tenantId,
						(alert) =>
							alert.process?.sha1?.toLowerCase() === sha1 ||
							(file?.alertIds.includes(alert.id) ?? false),
					),
				);
			},
		},
		{
			api: 'mde',
			method: 'GET',
			path: /^\/api\/ips\/([^/]+)\/stats$/i,
			category: 'mde',
			roles: ['Ip.Read.All'],
			handle: (ctx) => {
				lookBack(ctx.query);
				const ip = checkIp(ctx.params[0]);
				const seen = storeOf(ctx.tenantId).ips.get(ip);
				return {
					'@odata.context': `${apiBases.mde}/api/$metadata#microsoft.windowsDefenderATP.api.InOrgIPStats`,
					ipAddress: ctx.params[0],
					orgPrevalence: seen?.machineIds.length ?? 0,
					orgFirstSeen: seen?.orgFirstSeen ?? null,
					orgLastSeen: seen?.orgLastSeen ?? null,
				};
			},
		},
		{
			api: 'mde',
			method: 'GET',
			path: /^\/api\/ips\/([^/]+)\/alerts$/i,
			category: 'mde',
			roles: READ_ALERTS,
			handle: (ctx) =>
				list(
					'Alerts',
					alertsOf(ctx.tenantId, storeOf(ctx.tenantId).ips.get(checkIp(ctx.params[0]))),
				),
		},
		{
			api: 'mde',
			method: 'GET',
			path: /^\/api\/domains\/([^/]+)\/stats$/i,
			category: 'mde',
			roles: ['URL.Read.All'],
			handle: (ctx) => {
				lookBack(ctx.query);
				const domain = checkDomain(ctx.params[0]);
				const seen = storeOf(ctx.tenantId).domains.get(domain);
				return {
					'@odata.context': `${apiBases.mde}/api/$metadata#microsoft.windowsDefenderATP.api.InOrgDomainStats`,
					host: domain,
					orgPrevalence: seen?.machineIds.length ?? 0,
					orgFirstSeen: seen?.orgFirstSeen ?? null,
					orgLastSeen: seen?.orgLastSeen ?? null,
				};
			},
		},
		{
			api: 'mde',
			method: 'GET',
			path: /^\/api\/domains\/([^/]+)\/alerts$/i,
			category: 'mde',
			roles: READ_ALERTS,
			handle: (ctx) =>
				list(
					'Alerts',
					alertsOf(ctx.tenantId, storeOf(ctx.tenantId).domains.get(checkDomain(ctx.params[0]))),
				),
		},
		{
			api: 'mde',
			method: 'GET',
			path: /^\/api\/domains\/([^/]+)\/machines$/i,
			category: 'mde',
			roles: READ_MACHINES,
			handle: (ctx) => {
				const seen = storeOf(ctx.tenantId).domains.get(checkDomain(ctx.params[0]));
				return list(
					'Machines',
					machinesById(ctx.tenantId, (seen?.machineIds ?? []).slice(0, MAX_DOMAIN_MACHINES)),
				);
			},
		},
	];

	return {
		routes,
		addFile,
		addIp: (
			/** @type {string} */ tenantId,
			/** @type {Partial<Observable> & { ip: string }} */ { ip, ...rest },
		) => addObservable('ips', tenantId, { ...rest, value: ip }),
		addDomain: (
			/** @type {string} */ tenantId,
			/** @type {Partial<Observable> & { domain: string }} */ { domain, ...rest },
		) => addObservable('domains', tenantId, { ...rest, value: domain }),
		setLogonUsers,
		addIpAssignment,
	};
}

module.exports = { createEnrichment };
