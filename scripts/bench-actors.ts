// Throughput of the actor runtime next to a bare-array baseline.
// Run: node --import tsx scripts/bench-actors.ts [rounds]
import { type Behaviour, spawn } from "../packages/actors/src/index.ts";

const CAST_COUNT = 10_000_000;
const CALL_COUNT = 2_000_000;
// Below the default drain budget, so each burst drains in a single microtask.
const BURST_SIZE = 1_000;
const ROUNDS = Number(process.argv[2] ?? 3);

type CounterMsg = { type: "add"; n: number } | { type: "get" };
type CounterState = { total: number };

const counter: Behaviour<CounterMsg, CounterState, number> = {
  init: () => ({ total: 0 }),
  handle(msg, state, ctx) {
    if (msg.type === "add") state.total += msg.n;
    else ctx.reply(state.total);
    return state;
  },
};

async function castThroughput(): Promise<number> {
  const ref = spawn(counter);
  const add: CounterMsg = { type: "add", n: 1 };
  const startedAt = performance.now();
  for (let sent = 0; sent < CAST_COUNT; sent += BURST_SIZE) {
    for (let i = 0; i < BURST_SIZE; i++) {
      if (!ref.send(add).ok) throw new Error(`send failed after ${sent + i} messages`);
    }
    await null;
  }
  const total = await ref.call({ type: "get" });
  const elapsedMs = performance.now() - startedAt;
  if (total !== CAST_COUNT) throw new Error(`expected ${CAST_COUNT} handled, got ${total}`);
  await ref.stop();
  return (CAST_COUNT / elapsedMs) * 1000;
}

async function bareArrayThroughput(): Promise<number> {
  const queue: CounterMsg[] = [];
  const state: CounterState = { total: 0 };
  let isScheduled = false;
  const drain = (): void => {
    isScheduled = false;
    for (let i = 0; i < queue.length; i++) {
      const msg = queue[i];
      if (msg?.type === "add") state.total += msg.n;
    }
    queue.length = 0;
  };
  const add: CounterMsg = { type: "add", n: 1 };
  const startedAt = performance.now();
  for (let sent = 0; sent < CAST_COUNT; sent += BURST_SIZE) {
    for (let i = 0; i < BURST_SIZE; i++) {
      queue.push(add);
      if (!isScheduled) {
        isScheduled = true;
        queueMicrotask(drain);
      }
    }
    await null;
  }
  const elapsedMs = performance.now() - startedAt;
  if (state.total !== CAST_COUNT) throw new Error(`expected ${CAST_COUNT}, got ${state.total}`);
  return (CAST_COUNT / elapsedMs) * 1000;
}

async function callThroughput(): Promise<number> {
  const ref = spawn(counter);
  const get: CounterMsg = { type: "get" };
  const startedAt = performance.now();
  for (let i = 0; i < CALL_COUNT; i++) await ref.call(get, 5_000);
  const elapsedMs = performance.now() - startedAt;
  await ref.stop();
  return (CALL_COUNT / elapsedMs) * 1000;
}

async function barePromiseThroughput(): Promise<number> {
  const startedAt = performance.now();
  for (let i = 0; i < CALL_COUNT; i++) {
    await new Promise<number>((resolve) => queueMicrotask(() => resolve(i)));
  }
  const elapsedMs = performance.now() - startedAt;
  return (CALL_COUNT / elapsedMs) * 1000;
}

async function report(title: string, run: () => Promise<number>): Promise<void> {
  const rates: number[] = [];
  for (let round = 0; round < ROUNDS; round++) rates.push(await run());
  const shown = rates.map((rate) => `${(rate / 1e6).toFixed(2)}M`).join("  ");
  console.log(`${title.padEnd(58)} ${shown}  (best ${(Math.max(...rates) / 1e6).toFixed(2)}M/s)`);
}

console.log(`node ${process.version}, ${ROUNDS} rounds each, rates per second`);
await report(`(a) casts, one mailbox, sync handler (${CAST_COUNT / 1e6}M)`, castThroughput);
await report("    baseline: bare array + queueMicrotask drain", bareArrayThroughput);
await report(`(b) sequential calls, 5 s timeout armed (${CALL_COUNT / 1e6}M)`, callThroughput);
await report("    baseline: bare promise + queueMicrotask resolve", barePromiseThroughput);
