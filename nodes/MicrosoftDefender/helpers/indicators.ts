export const INDICATOR_TYPES = [
	'FileSha1',
	'FileSha256',
	'FileMd5',
	'CertificateThumbprint',
	'IpAddress',
	'DomainName',
	'Url',
] as const;
export type IndicatorType = (typeof INDICATOR_TYPES)[number];
/** Every action an indicator may carry when read (older indicators keep Alert and AlertAndBlock). */
export const INDICATOR_ACTIONS = [
	'Alert',
	'Warn',
	'Block',
	'Audit',
	'BlockAndRemediate',
	'AlertAndBlock',
	'Allowed',
] as const;

/**
 * The actions Create offers: the indicator action types the API supports (defender-endpoint/api/ti-indicator.md,
 * "Indicator Types"); Alert and AlertAndBlock were "supported until January 2022" (same page).
 */
export const INDICATOR_CREATE_ACTIONS = [
	'Allowed',
	'Audit',
	'Block',
	'BlockAndRemediate',
	'Warn',
] as const;

/**
 * What a Create saved with a retired action sends instead: the same effect with the supported types
 * (Alert = record and alert, AlertAndBlock = block and alert).
 */
export const RETIRED_INDICATOR_ACTIONS: Record<string, (typeof INDICATOR_CREATE_ACTIONS)[number]> =
	{
		Alert: 'Audit',
		AlertAndBlock: 'Block',
	};

const HEX = (length: number) => new RegExp(`^[0-9a-f]{${length}}$`, 'i');
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const DOMAIN = /^(?=.{1,253}$)(?!-)([a-z0-9-]{1,63}(?<!-)\.)+[a-z]{2,63}$/i;

/** Whether `value` is a well-formed indicator of `type`. */
export function isValidIndicator(type: IndicatorType, value: string): boolean {
	switch (type) {
		case 'FileSha1':
		case 'CertificateThumbprint':
			return HEX(40).test(value);
		case 'FileSha256':
			return HEX(64).test(value);
		case 'FileMd5':
			return HEX(32).test(value);
		case 'IpAddress':
			// An IPv6 address is whatever a URL accepts between brackets.
			return (
				IPV4.test(value) ||
				(value.includes(':') && /^[0-9a-f:.]+$/i.test(value) && URL.canParse(`http://[${value}]`))
			);
		case 'DomainName':
			return DOMAIN.test(value);
		case 'Url':
			return URL.canParse(value) && /^https?:$/.test(new URL(value).protocol);
	}
}

/** The type of an indicator value: hashes by length, IP, URL (with scheme), domain; undefined if none fits. */
export function inferIndicatorType(value: string): IndicatorType | undefined {
	const order: IndicatorType[] = [
		'FileSha256',
		'FileSha1',
		'FileMd5',
		'IpAddress',
		'Url',
		'DomainName',
	];
	return order.find((type) => isValidIndicator(type, value));
}
