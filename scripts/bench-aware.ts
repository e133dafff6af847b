// Scenario (aware) of `npm run bench`: (a)'s load — rooms of 8, one message every 2 s each — on
// two populations of the same gateway. In the plain one each group has its 8 members, all in the
// room; in the aware one every user is also a member of 2 more groups it has not joined, so each
// group has 16 members elsewhere and every message also yields `group_activity` (coalesced to
// one per group and person per second). Target: server CPU per delivered message of the aware
// population within 1.25× the plain one's, windows alternated so both see the same machine.

import type { BenchGateway } from "./bench-gateway.ts";
import { BENCH_CLIENTS } from "./bench-load.ts";
import { defaultWorkers, formatConnect, formatWindow, measureAt, sleep } from "./loadtest.ts";
import { Coordinator, type WindowResult } from "./loadtest-coordinator.ts";
import type { SimUserSpec } from "./loadtest-ipc.ts";

interface AwareContext {
  isQuick: boolean;
  users: number | undefined;
  log: (line: string) => void;
}

const ROOM = 8;
const EXTRA_GROUPS = 2;
const TARGET_RATIO = 1.25;
const ROUNDS = 3;

interface FixturesAnswer {
  users: Array<{ token: string }>;
  groups: Array<{ id: string }>;
}

/**
 * Group g's room is users g·8 … g·8+7. With `extras`, the users of the next `extras` rooms are
 * members too (never joining it): each user is in its own room plus `extras` groups elsewhere.
 */
async function mint(gateway: BenchGateway, users: number, extras: number): Promise<SimUserSpec[]> {
  const rooms = Math.floor(users / ROOM);
  const groups = Array.from({ length: rooms }, (_, g) => {
    const members: number[] = [];
    for (let k = 0; k <= extras; k++) {
      const room = (g + k) % rooms;
      for (let j = 0; j < ROOM; j++) members.push(room * ROOM + j);
    }
    return { name: `Aware ${g}`, members };
  });
  const response = await fetch(new URL("/admin/fixtures", gateway.httpUrl), {
    method: "POST",
    headers: { authorization: `Bearer ${gateway.adminToken}`, "content-type": "application/json" },
    body: JSON.stringify({ users: rooms * ROOM, groups, befriend: "none" }),
  });
  if (response.status !== 201) {
    throw new Error(`POST /admin/fixtures: ${response.status} ${await response.text()}`);
  }
  const answer = (await response.json()) as FixturesAnswer;
  return answer.users.map((user, i) => {
    const own = answer.groups[Math.floor(i / ROOM)]?.id;
    if (own === undefined) throw new Error(`fixtures answered ${answer.groups.length} groups`);
    return { token: user.token, joinGroups: [own], sendGroup: own };
  });
}

/** Connects one population's users; `offset` picks source addresses of their own. */
async function connect(
  gateway: BenchGateway,
  name: string,
  users: SimUserSpec[],
  offset: number,
  ctx: AwareContext,
): Promise<Coordinator> {
  const coordinator = new Coordinator({
    url: gateway.url,
    users,
    workers: defaultWorkers(users.length),
    ...BENCH_CLIENTS,
    sourceAddressOffset: offset,
  });
  coordinator.serverPid = gateway.pid;
  await coordinator.start();
  ctx.log(`${name}: ${formatConnect(await coordinator.connect())}`);
  return coordinator;
}

const usPerDelivery = (w: WindowResult) => w.server?.cpuUsPerDelivery ?? Number.NaN;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1] ?? 0;

export const aware = {
  name: "aware",
  title: "(a)'s load with every member also in 2 groups it has not joined: CPU per delivery",
  engine: "postgres" as const,
  async run(gateway: BenchGateway, ctx: AwareContext): Promise<Record<string, unknown>> {
    const users = ctx.users ?? (ctx.isQuick ? 1_000 : 16_000);
    const populations = [
      ["plain", await mint(gateway, users, 0)],
      ["aware", await mint(gateway, users, EXTRA_GROUPS)],
    ] as const;
    const windows: { plain: WindowResult[]; aware: WindowResult[] } = { plain: [], aware: [] };
    // One population holds sockets at a time: a process may hold 20,000 descriptors here and
    // (a)'s two populations would need 32,000 on the gateway. Each window connects its own
    // clients from fresh source addresses, lets them settle, measures and closes them.
    let offset = 0;
    for (let round = 0; round < (ctx.isQuick ? 1 : ROUNDS); round++) {
      for (const [name, specs] of populations) {
        const coordinator = await connect(gateway, name, specs, offset, ctx);
        offset += defaultWorkers(users);
        try {
          await sleep(3_000);
          const window = await measureAt(coordinator, users / 2, 3, ctx.isQuick ? 5 : 15);
          ctx.log(`${name}, round ${round + 1}:\n${formatWindow(window)}`);
          windows[name].push(window);
        } finally {
          await coordinator.close();
        }
      }
    }
    const plainUs = median(windows.plain.map(usPerDelivery));
    const awareUs = median(windows.aware.map(usPerDelivery));
    const ratio = Math.round((awareUs / plainUs) * 100) / 100;
    ctx.log(
      `server CPU per delivered message: plain ${plainUs} µs, with 2 groups elsewhere ${awareUs} µs: ${ratio}×`,
    );
    return {
      windows,
      plainUsPerDelivery: plainUs,
      awareUsPerDelivery: awareUs,
      targets: {
        ratio: { target: TARGET_RATIO, measured: ratio, met: ratio <= TARGET_RATIO },
      },
    };
  },
};
