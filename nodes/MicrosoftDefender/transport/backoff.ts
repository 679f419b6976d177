/** Backoff with full jitter, so that several workers hitting one tenant do not retry in lock-step. */
export function jitteredBackoff(attempt: number, baseMs: number): number {
	const ceiling = baseMs * 2 ** attempt;
	return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}
