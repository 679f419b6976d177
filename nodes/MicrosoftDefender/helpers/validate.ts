/**
 * Checks of user input that run before any request. Each returns the value to use or throws an Error
 * whose message names the field, quotes what was given (cut to a readable length) and says the fix.
 */

/** How much of a user's value an error message repeats. */
export const MAX_QUOTED_LENGTH = 100;
/** Longest Wait Timeout of a response action: a day (the action keeps running in Defender after it). */
export const MAX_WAIT_TIMEOUT_SECONDS = 86_400;
/** Longest Timeout option per request: 15 minutes (advanced hunting itself stops after about 3). */
export const MAX_TIMEOUT_SECONDS = 900;
/** Longest Overlap Window of the trigger: a day (each poll re-reads that much history). */
export const MAX_OVERLAP_MINUTES = 1440;

/** Text cut to `max` characters, with "…" when something was cut. */
export function clipped(text: string, max = MAX_QUOTED_LENGTH): string {
	return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** A value as an error message quotes it: in double quotes, at most 100 characters, then "…". */
export function quoted(value: unknown): string {
	const text =
		typeof value === 'string'
			? value
			: typeof value === 'object' && value !== null
				? (JSON.stringify(value) ?? String(value))
				: String(value);
	return `"${clipped(text)}"`;
}

/** A number from a number field, which an expression may fill with a string; NaN for anything else. */
function numberOf(value: unknown): number {
	if (typeof value === 'number') return value;
	if (typeof value === 'string' && value.trim() !== '') return Number(value.trim());
	return Number.NaN;
}

/** Wait Timeout of a response action, in milliseconds: 1 s to a day. */
export function waitTimeoutMs(value: unknown): number {
	const seconds = numberOf(value);
	if (!Number.isFinite(seconds) || seconds < 1 || seconds > MAX_WAIT_TIMEOUT_SECONDS) {
		throw new Error(
			`Wait Timeout ${quoted(value)} is not a number of seconds from 1 to ${MAX_WAIT_TIMEOUT_SECONDS.toLocaleString('en-US')} (24 hours). Enter how long to wait for the action to finish, or turn off Wait for Completion.`,
		);
	}
	return seconds * 1000;
}

/** The Timeout option in milliseconds; undefined (the operation's default) for 0 or an empty value. */
export function requestTimeoutMs(value: unknown): number | undefined {
	if (value === undefined || value === null || value === '' || value === 0) return undefined;
	const seconds = numberOf(value);
	if (!Number.isFinite(seconds) || seconds < 0 || seconds > MAX_TIMEOUT_SECONDS) {
		throw new Error(
			`Timeout ${quoted(value)} is not a number of seconds from 0 to ${MAX_TIMEOUT_SECONDS}. Enter 0 for the default (60 s, 240 s for advanced hunting) or at most ${MAX_TIMEOUT_SECONDS} (15 minutes).`,
		);
	}
	return seconds === 0 ? undefined : seconds * 1000;
}

/**
 * The trigger's Overlap Window in milliseconds: 1 to 1,440 minutes. An expression can fill the field
 * with anything; NaN would make every poll skip its look-back and miss late-indexed incidents.
 */
export function overlapWindowMs(value: unknown): number {
	const minutes = numberOf(value);
	if (!Number.isFinite(minutes) || minutes < 1 || minutes > MAX_OVERLAP_MINUTES) {
		throw new Error(
			`Overlap Window ${quoted(value)} is not a number of minutes from 1 to ${MAX_OVERLAP_MINUTES.toLocaleString('en-US')} (24 hours). Enter how far back each poll looks before the last change it saw; 10 suits most tenants.`,
		);
	}
	return minutes * 60_000;
}

/** Limit: a whole number of results, at least 1. */
export function limitOf(value: unknown): number {
	const limit = numberOf(value);
	if (!Number.isInteger(limit) || limit < 1) {
		throw new Error(
			`Limit ${quoted(value)} is not a whole number of 1 or more. Enter how many results to return, or turn on Return All.`,
		);
	}
	return limit;
}

// Calendar date, then optionally a time (minutes at least), fraction and offset: the ISO 8601 forms people and n8n write.
const ISO_8601 =
	/^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

interface DateTimeLike {
	isValid: boolean;
	toMillis(): number;
}

function isDateTimeLike(value: unknown): value is DateTimeLike {
	return (
		typeof value === 'object' &&
		value !== null &&
		typeof (value as DateTimeLike).toMillis === 'function' &&
		typeof (value as DateTimeLike).isValid === 'boolean'
	);
}

/** Milliseconds of an ISO 8601 string, a JS Date or an n8n (Luxon) DateTime; NaN for anything else. */
function timeOf(value: unknown): number {
	if (value instanceof Date) return value.getTime();
	if (isDateTimeLike(value)) return value.isValid ? value.toMillis() : Number.NaN;
	if (typeof value !== 'string') return Number.NaN;
	const text = value.trim();
	const match = ISO_8601.exec(text);
	if (!match) return Number.NaN;
	const [, year, month, day, hour = '0', minute = '0', second = '0', offset] = match;
	// Date.parse rolls 31 February over into March; a date whose fields do not survive is not a date.
	const calendar = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
	if (
		calendar.getUTCMonth() !== Number(month) - 1 ||
		calendar.getUTCDate() !== Number(day) ||
		Number(hour) > 23 ||
		Number(minute) > 59 ||
		Number(second) > 59
	) {
		return Number.NaN;
	}
	// A time without an offset is read as UTC (the APIs' zone), not as the n8n server's local time.
	const normalised = text.replace(',', '.').replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
	return Date.parse(match[4] !== undefined && offset === undefined ? `${normalised}Z` : normalised);
}

/** A date filter as an ISO string in UTC. */
export function isoDateTime(value: unknown, fieldLabel: string): string {
	const time = timeOf(value);
	if (!Number.isFinite(time)) {
		throw new Error(
			`${fieldLabel} ${quoted(value)} is not a date. Use an ISO 8601 date such as 2026-11-01 or 2026-11-01T00:00:00Z, an n8n date such as {{ $now.minus({ days: 1 }) }}, or pick one in the date picker.`,
		);
	}
	return new Date(time).toISOString();
}

const ISO_DURATION = /^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/;
/** A date-time with its zone, as Graph's examples write the ends of a timespan (2024-02-01T08:00:00Z). */
const ZONED_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Whether `value` is a Timespan Graph's runHuntingQuery documents (api-reference/v1.0/api/
 * security-security-runhuntingquery.md, "Timespan format examples"): an ISO 8601 duration (P30D), a date
 * (its start), date/date, duration/date or date/duration.
 */
export function isHuntingTimespan(value: string): boolean {
	const isDate = (part: string) => ZONED_DATE_TIME.test(part) && Number.isFinite(Date.parse(part));
	const parts = value.split('/');
	if (parts.length === 1) return ISO_DURATION.test(value) || isDate(value);
	if (parts.length !== 2) return false;
	const [start, end] = parts;
	if (isDate(start) && isDate(end)) return Date.parse(start) < Date.parse(end);
	return (ISO_DURATION.test(start) && isDate(end)) || (isDate(start) && ISO_DURATION.test(end));
}

/** Characters that would change which resource a path addresses, or that no Defender ID contains. */
const PATH_BREAKING = /[/\\?#%\s\p{Cc}]/u;

/** True when `id` can stand as one path segment: not empty, not `.` or `..`, no path, query or escape characters. */
export function isPathSegment(id: string): boolean {
	return id !== '' && id !== '.' && id !== '..' && !PATH_BREAKING.test(id);
}

/** "1 weakness", "2 weaknesses": a count with its noun in the right number. */
export function counted(value: unknown, one: string, many = `${one}s`): string {
	const count = Number(value ?? 0);
	return `${Number.isFinite(count) ? count : String(value)} ${count === 1 ? one : many}`;
}
