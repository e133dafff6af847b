// What the footprint benchmark (bench-footprint.ts) measures: a process's resident memory from
// /proc, the gateway's JS heap from its /metrics, bare PGlite in a process of its own, and
// WebSocket clients that connect, join a room and leave.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import WebSocket from "ws";

export interface Sample {
  rssMb: number;
  /** Anonymous memory: this process's own. */
  anonMb: number;
  /** File-backed: mostly the node binary, shared with every other node process. */
  fileMb: number;
  heapUsedMb: number;
  heapTotalMb: number;
  /** Memory outside the JS heap that V8 is told about (ArrayBuffers, PGlite's WebAssembly heap). */
  externalMb: number;
  /** The resident part of PGlite's WebAssembly memory; 0 without PGlite. */
  wasmResidentMb: number;
}

const MB = 1024 * 1024;
const JOIN_ATTEMPTS = 3;
const WASM_INITIAL_BYTES = 128 * MB;

export function residentMemory(pid: number): Pick<Sample, "rssMb" | "anonMb" | "fileMb"> {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1]);
  return { rssMb: kb("VmRSS") / 1024, anonMb: kb("RssAnon") / 1024, fileMb: kb("RssFile") / 1024 };
}

/**
 * PGlite's WebAssembly memory is one anonymous mapping of at least 128 MiB (its initial size);
 * nothing else in the gateway maps that much at once. Returns its resident MB, 0 if none.
 */
function wasmResidentMb(pid: number): number {
  let isCandidate = false;
  let largest = 0;
  for (const line of readFileSync(`/proc/${pid}/smaps`, "utf8").split("\n")) {
    const header = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \S+\s*(\S*)$/.exec(line);
    if (header) {
      const bytes = Number.parseInt(header[2] ?? "0", 16) - Number.parseInt(header[1] ?? "0", 16);
      isCandidate = header[3] === "" && bytes >= WASM_INITIAL_BYTES;
    } else if (isCandidate && line.startsWith("Rss:")) {
      largest = Math.max(largest, Number(/(\d+)/.exec(line)?.[1]) / 1024);
    }
  }
  return largest;
}

/** RSS from /proc first, then the heap from the gateway's own metrics (scraping allocates). */
export async function sampleGateway(pid: number, httpUrl: string): Promise<Sample> {
  const resident = residentMemory(pid);
  const wasm = wasmResidentMb(pid);
  const text = await (await fetch(`${httpUrl}/metrics`)).text();
  const metric = (name: string) => {
    const value = new RegExp(`^clofri_${name} ([0-9.e+]+)$`, "m").exec(text)?.[1];
    if (value === undefined) throw new Error(`/metrics has no clofri_${name}`);
    return Number(value) / MB;
  };
  return {
    ...resident,
    heapUsedMb: metric("nodejs_heap_size_used_bytes"),
    heapTotalMb: metric("nodejs_heap_size_total_bytes"),
    externalMb: metric("nodejs_external_memory_bytes"),
    wasmResidentMb: wasm,
  };
}

export interface BareSample extends Sample {
  startMs: number;
  /** The size of PGlite's WebAssembly memory. */
  wasmMb: number;
}

/**
 * Runs in a plain `node` (no tsx, whose loader alone holds ~100 MB): opens PGlite with the given
 * options (or nothing, for node alone), idles, then prints one JSON sample.
 */
const BARE_SCRIPT = `
import { readFileSync } from "node:fs";
const [moduleUrl, optionsJson, settleMs] = process.argv.slice(1);
const options = JSON.parse(optionsJson);
const started = performance.now();
let pglite;
if (options !== null) {
  const { PGlite } = await import(moduleUrl);
  pglite = await PGlite.create(options);
  await pglite.query("select 1");
}
const startMs = performance.now() - started;
await new Promise((resolve) => setTimeout(resolve, Number(settleMs)));
const kb = (text, field) => Number(new RegExp("^" + field + ":\\\\s+(\\\\d+) kB", "m").exec(text)[1]);
const status = readFileSync("/proc/self/status", "utf8");
const wasmBytes = pglite?.Module.HEAP8.buffer.byteLength ?? 0;
let wasmResidentKb = 0;
let size = 0;
for (const line of readFileSync("/proc/self/smaps", "utf8").split("\\n")) {
  const range = /^([0-9a-f]+)-([0-9a-f]+) /.exec(line);
  if (range) size = parseInt(range[2], 16) - parseInt(range[1], 16);
  else if (size === wasmBytes && line.startsWith("Rss:")) wasmResidentKb = kb(line, "Rss");
}
const memory = process.memoryUsage();
const MB = 1024 * 1024;
console.log(JSON.stringify({
  startMs, rssMb: kb(status, "VmRSS") / 1024, anonMb: kb(status, "RssAnon") / 1024,
  fileMb: kb(status, "RssFile") / 1024, heapUsedMb: memory.heapUsed / MB,
  heapTotalMb: memory.heapTotal / MB, externalMb: memory.external / MB,
  wasmMb: wasmBytes / MB, wasmResidentMb: wasmResidentKb / 1024,
}));
await pglite?.close();
`;

/** `options` null: node alone. `v8Flags`: the gateway's, for a like-for-like comparison. */
export function sampleBarePglite(
  options: Record<string, unknown> | null,
  settleMs: number,
  v8Flags: readonly string[] = [],
): Promise<BareSample> {
  const moduleUrl = import.meta.resolve("@electric-sql/pglite");
  const args = [...v8Flags, "--input-type=module", "--eval", BARE_SCRIPT];
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [...args, moduleUrl, JSON.stringify(options), String(settleMs)],
      { env: {} },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`bare PGlite failed: ${stderr || error.message}`));
        else resolve(JSON.parse(stdout) as BareSample);
      },
    );
  });
}

/**
 * Opens one socket per token (at most `concurrency` connecting at once), waits for `hello`, joins
 * the user's first group and waits for its `group_state`, then closes every socket.
 */
export async function connectAndLeave(
  wsUrl: string,
  users: ReadonlyArray<{ token: string; group: string }>,
  concurrency: number,
): Promise<void> {
  const sockets: WebSocket[] = [];
  let next = 0;
  const worker = async () => {
    while (next < users.length) {
      const user = users[next++];
      if (user !== undefined) sockets.push(await openAndJoinRetrying(wsUrl, user));
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    await Promise.all(sockets.map(closeSocket));
  }
}

/** uWS 20.30 closes ~1 % of freshly upgraded sockets (docs/DECISIONS.md): try again, as clients do. */
async function openAndJoinRetrying(
  wsUrl: string,
  user: { token: string; group: string },
): Promise<WebSocket> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await openAndJoin(wsUrl, user);
    } catch (error) {
      if (attempt === JOIN_ATTEMPTS) throw error;
    }
  }
}

function openAndJoin(wsUrl: string, user: { token: string; group: string }): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(wsUrl, { headers: { authorization: `Bearer ${user.token}` } });
    socket.on("message", (data) => {
      const frame = JSON.parse(String(data)) as { type?: string };
      if (frame.type === "hello") {
        socket.send(JSON.stringify({ type: "join", group: user.group, ref: "1" }));
      } else if (frame.type === "group_state") {
        resolve(socket);
      } else if (frame.type === "error") {
        reject(new Error(`join refused: ${String(data)}`));
      }
    });
    socket.on("error", reject);
    socket.on("close", (code) => reject(new Error(`closed with ${code} before joining`)));
  });
}

function closeSocket(socket: WebSocket): Promise<void> {
  if (socket.readyState === WebSocket.CLOSED) return Promise.resolve();
  return new Promise((resolve) => {
    socket.once("close", () => resolve());
    socket.close(1000);
  });
}
