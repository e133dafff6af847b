// What the storm and soak scenarios of scripts/bench.ts read besides the load tester: the
// gateway's /metrics (Prometheus text), the close codes PROTOCOL.md documents, and a least-squares
// slope for memory samples.
import { CLOSE_CODES } from "@clofri/protocol";

/** What bench.ts hands a scenario (a structural subset of its Context). */
export interface BenchContext {
  isQuick: boolean;
  /** --users: overrides the scenario's number of users. */
  users: number | undefined;
  /** --minutes: how long the soak runs. */
  minutes?: number | undefined;
  log: (line: string) => void;
}

/**
 * Close codes a server may send (docs/PROTOCOL.md, "Close codes"): every code of the table but
 * 1005 and 1006, which are only ever reported (no code in the close frame, no close frame at all).
 */
export const DOCUMENTED_CLOSE_CODES: ReadonlySet<number> = new Set(
  Object.values(CLOSE_CODES).filter(
    (code) => code !== CLOSE_CODES.noStatus && code !== CLOSE_CODES.connectionLost,
  ),
);

/**
 * Splits what clients saw end their sockets (a close code, or `close_<code>` / a socket error /
 * `http_<status>` from the connect phase) into closes with a documented code and the rest.
 */
export function classifyCloses(seen: Record<string, number>): {
  documented: Record<string, number>;
  undocumented: Record<string, number>;
  undocumentedCount: number;
} {
  const documented: Record<string, number> = {};
  const undocumented: Record<string, number> = {};
  let undocumentedCount = 0;
  for (const [why, n] of Object.entries(seen)) {
    const code = Number(why.replace(/^close_/, ""));
    if (Number.isInteger(code) && DOCUMENTED_CLOSE_CODES.has(code)) {
      documented[why] = (documented[why] ?? 0) + n;
    } else {
      undocumented[why] = (undocumented[why] ?? 0) + n;
      undocumentedCount += n;
    }
  }
  return { documented, undocumented, undocumentedCount };
}

export function addCounts(into: Record<string, number>, from: Record<string, number>): void {
  for (const [key, n] of Object.entries(from)) into[key] = (into[key] ?? 0) + n;
}

/** One scrape of /metrics: every sample by `name` or `name{labels}` as the exposition spells it. */
export type Scrape = ReadonlyMap<string, number>;

const SAMPLE_LINE = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)/;

export async function scrapeMetrics(httpUrl: string): Promise<Scrape> {
  const response = await fetch(new URL("/metrics", httpUrl));
  if (response.status !== 200) throw new Error(`GET /metrics: ${response.status}`);
  const samples = new Map<string, number>();
  for (const line of (await response.text()).split("\n")) {
    const match = SAMPLE_LINE.exec(line);
    if (match === null) continue;
    samples.set(`${match[1]}${match[2] ?? ""}`, Number(match[3]));
  }
  return samples;
}

/** The samples of one family, by the value of one label: `{ "1000": 5, "1006": 0, … }`. */
export function byLabel(scrape: Scrape, name: string, label: string): Record<string, number> {
  const values: Record<string, number> = {};
  const pattern = new RegExp(`^${name}\\{.*\\b${label}="([^"]*)"`);
  for (const [key, value] of scrape) {
    const match = pattern.exec(key);
    if (match?.[1] !== undefined) values[match[1]] = value;
  }
  return values;
}

/** `after − before` per label, leaving out labels that did not move. */
export function growth(
  before: Record<string, number>,
  after: Record<string, number>,
): Record<string, number> {
  const moved: Record<string, number> = {};
  for (const [key, value] of Object.entries(after)) {
    const delta = value - (before[key] ?? 0);
    if (delta !== 0) moved[key] = delta;
  }
  return moved;
}

export function sum(counts: Record<string, number>): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

/** Least-squares slope of y over x (units of y per unit of x); 0 with fewer than two points. */
export function slope(points: ReadonlyArray<readonly [number, number]>): number {
  const n = points.length;
  if (n < 2) return 0;
  let sx = 0;
  let sy = 0;
  for (const [x, y] of points) {
    sx += x;
    sy += y;
  }
  const mx = sx / n;
  const my = sy / n;
  let sxy = 0;
  let sxx = 0;
  for (const [x, y] of points) {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) * (x - mx);
  }
  return sxx === 0 ? 0 : sxy / sxx;
}

export function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
