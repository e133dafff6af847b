export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
}

const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, maxMs: 30_000 };

/**
 * Reconnect delay with exponential back-off and full jitter: a uniformly random wait up to
 * `min(maxMs, baseMs * 2^(tries-1))`, so a crowd dropped at once does not come back at once.
 * `random` is injectable so tests can pin it.
 */
export function backoffDelayMs(
  tries: number,
  random: () => number = Math.random,
  { baseMs, maxMs }: BackoffOptions = DEFAULT_BACKOFF,
): number {
  if (tries <= 0) return 0;
  const ceilingMs = Math.min(maxMs, baseMs * 2 ** Math.min(tries - 1, 30));
  return Math.floor(random() * ceilingMs);
}
