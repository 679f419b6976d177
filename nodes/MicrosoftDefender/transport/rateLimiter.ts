import { sleep } from 'n8n-workflow';

export interface QuotaWindow {
	limit: number;
	windowMs: number;
}

interface KeyState {
	/** Completion times of finished calls, ascending. */
	finished: number[];
	inFlight: number;
	/** Grants are handed out in arrival order: a busy workflow cannot overtake a waiting one. */
	queue: Promise<void>;
}

/** Slack for timer resolution; the window itself is already conservative (see acquireQuotaSlot). */
const MARGIN_MS = 25;
/** How often to look again when every slot of a window is taken by calls still in flight. */
const IN_FLIGHT_POLL_MS = 20;

const states = new Map<string, KeyState>();

function stateOf(key: string): KeyState {
	let state = states.get(key);
	if (!state) {
		state = { finished: [], inFlight: 0, queue: Promise.resolve() };
		states.set(key, state);
	}
	return state;
}

/** Milliseconds to wait before one more call fits every window; 0 when it fits now. */
function waitTime(state: KeyState, windows: QuotaWindow[], now: number): number {
	let wait = 0;
	for (const { limit, windowMs } of windows) {
		const recent = state.finished.filter((time) => time > now - windowMs);
		const excess = state.inFlight + recent.length - limit + 1;
		if (excess <= 0) continue;
		// The oldest `excess` finished calls must leave the window; calls in flight leave it only later.
		const leaving = recent[excess - 1];
		wait = Math.max(
			wait,
			leaving === undefined ? IN_FLIGHT_POLL_MS : leaving + windowMs + MARGIN_MS - now,
		);
	}
	return wait;
}

/** The quota is used up for longer than a caller is willing to wait. */
export class QuotaExhaustedError extends Error {
	constructor(
		readonly waitMs: number,
		readonly window: QuotaWindow,
	) {
		super(
			`quota of ${window.limit} calls per ${Math.round(window.windowMs / 1000)} s used up for the next ${Math.ceil(waitMs / 1000)} s`,
		);
		this.name = 'QuotaExhaustedError';
	}
}

/**
 * Waits until one more call under `key` stays within every window, then takes a slot. Call the returned
 * function when the response has arrived. A slot counts from the response's arrival, which is never
 * earlier than the moment the service counted the call, so this client stays under the service's
 * sliding window whatever the network latency. A wait longer than `maxWaitMs` (e.g. an hourly quota
 * used up) throws QuotaExhaustedError instead of holding the execution.
 */
export async function acquireQuotaSlot(
	key: string,
	windows: QuotaWindow[],
	maxWaitMs = Number.POSITIVE_INFINITY,
): Promise<() => void> {
	const state = stateOf(key);
	const longest = Math.max(...windows.map((window) => window.windowMs));
	const granted = state.queue.then(async () => {
		for (;;) {
			const now = Date.now();
			while (state.finished.length > 0 && state.finished[0] <= now - longest)
				state.finished.shift();
			const wait = waitTime(state, windows, now);
			if (wait <= 0) break;
			if (wait > maxWaitMs)
				throw new QuotaExhaustedError(
					wait,
					windows.find((window) => waitTime(state, [window], now) === wait) ?? windows[0],
				);
			await sleep(wait);
		}
		state.inFlight += 1;
	});
	// A caller that gave up must not hold up the ones queued behind it.
	state.queue = granted.catch(() => undefined);
	await granted;
	let released = false;
	return () => {
		if (released) return;
		released = true;
		state.inFlight -= 1;
		state.finished.push(Date.now());
	};
}
