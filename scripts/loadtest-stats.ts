// Measurement helpers of the load tester: a mergeable log-linear histogram, a monotonic clock
// that agrees across processes, and CPU / RSS of any process read from /proc.
import { readFileSync } from "node:fs";

/** Values below this are exact; above, 128 sub-buckets per power of two (≤ 0.8 % error). */
const LINEAR_LIMIT = 256;
const SUB_BUCKETS = 128;
const BUCKETS = LINEAR_LIMIT + 24 * SUB_BUCKETS;

/** Counts of non-negative integers (µs here), cheap to record and to merge across processes. */
export class Histogram {
  readonly counts: Uint32Array;
  count = 0;
  max = 0;
  sum = 0;

  constructor() {
    this.counts = new Uint32Array(BUCKETS);
  }

  record(value: number): void {
    const v = value < 0 ? 0 : Math.round(value);
    const bucket = bucketOf(v);
    this.counts[bucket] = (this.counts[bucket] as number) + 1;
    this.count++;
    this.sum += v;
    if (v > this.max) this.max = v;
  }

  /** Adds a histogram sent over IPC (`toJSON`). */
  merge(from: HistogramJson): void {
    for (let i = 0; i < from.counts.length; i++) {
      this.counts[i] = (this.counts[i] as number) + (from.counts[i] ?? 0);
    }
    this.count += from.count;
    this.sum += from.sum;
    if (from.max > this.max) this.max = from.max;
  }

  /** The smallest recorded value's bucket top at or above fraction `q` of the counts. */
  quantile(q: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i] as number;
      if (seen >= rank) return Math.min(bucketTop(i), this.max);
    }
    return this.max;
  }

  summary(scale = 1): Summary {
    const at = (q: number) => round(this.quantile(q) / scale);
    return {
      count: this.count,
      p50: at(0.5),
      p90: at(0.9),
      p99: at(0.99),
      max: round(this.max / scale),
      mean: this.count === 0 ? 0 : round(this.sum / this.count / scale),
    };
  }

  toJSON(): HistogramJson {
    return { counts: Array.from(this.counts), count: this.count, max: this.max, sum: this.sum };
  }

  reset(): void {
    this.counts.fill(0);
    this.count = 0;
    this.max = 0;
    this.sum = 0;
  }
}

export interface HistogramJson {
  counts: readonly number[];
  count: number;
  max: number;
  sum: number;
}

export interface Summary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

function bucketOf(v: number): number {
  if (v < LINEAR_LIMIT) return v;
  const msb = 31 - Math.clz32(Math.min(v, 0x7fffffff));
  const shift = msb - 7;
  return LINEAR_LIMIT + (shift - 1) * SUB_BUCKETS + ((v >> shift) - SUB_BUCKETS);
}

/** The top of bucket `i` (the largest value that lands in it). */
function bucketTop(i: number): number {
  if (i < LINEAR_LIMIT) return i;
  const shift = Math.floor((i - LINEAR_LIMIT) / SUB_BUCKETS) + 1;
  const sub = ((i - LINEAR_LIMIT) % SUB_BUCKETS) + SUB_BUCKETS;
  return ((sub + 1) << shift) - 1;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

// performance.now() and process.hrtime() both read CLOCK_MONOTONIC, which every process on the
// machine shares: a timestamp written by one load worker can be compared in another.
const monotonicOffsetUs = Number(process.hrtime.bigint() / 1000n) - performance.now() * 1000;

/** Microseconds on the machine-wide monotonic clock. */
export function monotonicUs(): number {
  return performance.now() * 1000 + monotonicOffsetUs;
}

const CLOCK_TICKS_PER_SECOND = 100;

export interface ProcSample {
  /** User + system CPU time, µs. */
  cpuUs: number;
  /** The system part: syscalls, and on loopback the TCP work of both ends of a write. */
  systemUs: number;
  rssBytes: number;
  atUs: number;
}

/** CPU time and resident memory of a process, from /proc/<pid>/stat and status. */
export function sampleProcess(pid: number): ProcSample {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name, which may itself contain spaces and parentheses.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]);
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return {
    cpuUs: (ticks * 1_000_000) / CLOCK_TICKS_PER_SECOND,
    systemUs: (Number(fields[12]) * 1_000_000) / CLOCK_TICKS_PER_SECOND,
    rssBytes: rssKb * 1024,
    atUs: monotonicUs(),
  };
}

/** The 1-minute load average and the machine's CPU count, to state next to every figure. */
export function machineLoad(): { loadAverage1m: number; loadAverage5m: number } {
  const [one, five] = readFileSync("/proc/loadavg", "utf8").split(" ");
  return { loadAverage1m: Number(one), loadAverage5m: Number(five) };
}

/** Busy fraction of every CPU on the machine between two `/proc/stat` samples (0–1 per core). */
export function sampleMachineCpu(): { busy: number; total: number } {
  const line = readFileSync("/proc/stat", "utf8").split("\n", 1)[0] ?? "";
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = (values[3] ?? 0) + (values[4] ?? 0);
  const total = values.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}
