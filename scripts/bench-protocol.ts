// Client-frame decode throughput: `decodeClientFrame` on a realistic mix of frames, beside
// JSON.parse alone (the ceiling) and JSON.parse + valibot's variant (the baseline).
// Run from the repo root: npm run bench:protocol
import { ClientFrameSchema, decodeClientFrame } from "@clofri/protocol";
import * as v from "valibot";
import {
  mulberry32,
  pick,
  randomInt,
  randomUuid,
} from "../packages/protocol/src/testing/random.ts";

const RUNS = 7;
const RUN_MS = 1_000;
const DISTINCT_FRAMES = 10_000;

const random = mulberry32(20_251_122);
const groups = Array.from({ length: 20 }, () => randomUuid(random));
const texts = [
  "ok",
  "anyone up?",
  "on my way, 10 min",
  "😀 that was great",
  "did anyone see where I left the charger? it was on the couch this morning",
  "a".repeat(280),
];
let nextRef = 0;

// 40% send, 30% typing_start, 10% typing_stop, 15% heartbeat, 5% join/leave; 90% carry a ref.
function sampleFrame(): string {
  const roll = random() * 100;
  const group = pick(random, groups);
  const ref = random() < 0.9 ? { ref: String(++nextRef) } : {};
  let frame: object;
  if (roll < 40) frame = { type: "send", group, text: pick(random, texts), key: `k-${nextRef}` };
  else if (roll < 70) frame = { type: "typing_start", group };
  else if (roll < 80) frame = { type: "typing_stop", group };
  else if (roll < 95) frame = { type: "heartbeat", ...(random() < 0.2 ? { idle: true } : {}) };
  else if (roll < 97.5)
    frame = { type: "join", group, epoch: "e1", afterSeq: randomInt(random, 500) };
  else frame = { type: "leave", group };
  return JSON.stringify({ ...frame, ...ref });
}

const frames = Array.from({ length: DISTINCT_FRAMES }, sampleFrame);

interface Rates {
  wall: number;
  cpu: number;
}

function measure(name: string, decode: (text: string) => boolean): Rates {
  for (const text of frames) {
    if (!decode(text)) throw new Error(`${name} rejected a valid frame: ${text}`);
  }
  const runs: Rates[] = [];
  for (let run = 0; run < RUNS; run++) {
    let decoded = 0;
    const cpuStart = process.cpuUsage();
    const start = performance.now();
    let elapsedMs = 0;
    while (elapsedMs < RUN_MS) {
      for (let i = 0; i < frames.length; i++) if (decode(frames[i] as string)) decoded++;
      elapsedMs = performance.now() - start;
    }
    const cpu = process.cpuUsage(cpuStart);
    const cpuMs = (cpu.user + cpu.system) / 1_000;
    runs.push({ wall: (decoded / elapsedMs) * 1_000, cpu: (decoded / cpuMs) * 1_000 });
  }
  const wall = runs.map((rates) => rates.wall).sort((a, b) => b - a);
  const cpu = runs.map((rates) => rates.cpu).sort((a, b) => b - a);
  const median = Math.floor(RUNS / 2);
  console.log(
    `${name.padEnd(42)} best ${format(wall[0])}  median ${format(wall[median])}  ` +
      `(best ${format(cpu[0])} per CPU-second)`,
  );
  return { wall: wall[0] ?? 0, cpu: cpu[0] ?? 0 };
}

function format(rate: number | undefined): string {
  return `${Math.round(rate ?? 0).toLocaleString("en-US")} frames/s`.padStart(19);
}

const averageBytes = frames.reduce((sum, text) => sum + text.length, 0) / frames.length;
console.log(
  `${DISTINCT_FRAMES.toLocaleString("en-US")} distinct frames, ${averageBytes.toFixed(0)} bytes ` +
    `on average; ${RUNS} runs of ${RUN_MS} ms each; Node ${process.version}`,
);
measure("ceiling: JSON.parse alone", (text) => JSON.parse(text) !== null);
const baseline = measure("baseline: JSON.parse + safeParse(variant)", (text) => {
  return v.safeParse(ClientFrameSchema, JSON.parse(text)).success;
});
const decoded = measure("decodeClientFrame", (text) => decodeClientFrame(text).ok);
console.log(`decodeClientFrame / baseline: ${(decoded.wall / baseline.wall).toFixed(2)}x`);
