// Mints the load test's users and groups through `POST /admin/fixtures` (docs/API.md).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { SimUserSpec } from "./loadtest-ipc.ts";

export interface Layout {
  users: number;
  /** Members per group. */
  groupSize: number;
  /** Groups each user is a member of (each "round" puts every user in one more group). */
  groupsPerUser: number;
  /** Which of its groups a user joins after hello: none (idle), its first, or all. */
  join: "none" | "first" | "all";
  /** Whether users send (to their first group). */
  isSending: boolean;
  befriend: "group" | "none";
}

interface FixturesAnswer {
  users: Array<{ id: string; token: string }>;
  groups: Array<{ id: string; members: string[] }>;
}

/** The API's caps per call (docs/API.md). */
const MAX_USERS_PER_CALL = 20_000;
const MAX_FRIENDSHIPS_PER_CALL = 250_000;

/** The admin token: --admin-token, ADMIN_TOKEN, or the dev token file in $DATA_DIR. */
export function findAdminToken(explicit: string | undefined): string {
  if (explicit) return explicit;
  if (process.env.ADMIN_TOKEN) return process.env.ADMIN_TOKEN;
  const path = join(process.env.DATA_DIR ?? "./.data", "admin-token");
  try {
    return readFileSync(path, "utf8").trim();
  } catch (error) {
    throw new Error(`no admin token: set ADMIN_TOKEN or pass --admin-token (tried ${path})`, {
      cause: error,
    });
  }
}

/**
 * Group `g` of round `r` holds users `g·K + r … g·K + r + K − 1` (mod n): each round shifts by
 * one, so a user's groups differ while its friends stay few enough for one fixtures call.
 */
function groupsOf(n: number, groupSize: number, rounds: number): number[][] {
  const groups: number[][] = [];
  const perRound = Math.ceil(n / groupSize);
  for (let round = 0; round < rounds; round++) {
    for (let g = 0; g < perRound; g++) {
      const members: number[] = [];
      for (let j = 0; j < groupSize && g * groupSize + j < n; j++) {
        members.push((g * groupSize + j + round) % n);
      }
      groups.push(members);
    }
  }
  return groups;
}

function friendshipCount(groups: number[][]): number {
  const pairs = new Set<number>();
  for (const members of groups) {
    for (const a of members) for (const b of members) if (a < b) pairs.add(a * 1_000_003 + b);
  }
  return pairs.size;
}

/** Creates the users (in calls of at most 20,000) and returns what each simulated user needs. */
export async function mintUsers(
  baseUrl: string,
  adminToken: string,
  layout: Layout,
  log: (line: string) => void,
): Promise<SimUserSpec[]> {
  const specs: SimUserSpec[] = [];
  for (let first = 0; first < layout.users; first += MAX_USERS_PER_CALL) {
    const n = Math.min(MAX_USERS_PER_CALL, layout.users - first);
    const groups = groupsOf(n, layout.groupSize, layout.groupsPerUser);
    let befriend = layout.befriend;
    if (befriend === "group" && friendshipCount(groups) > MAX_FRIENDSHIPS_PER_CALL) {
      log(
        `fixtures: more than ${MAX_FRIENDSHIPS_PER_CALL} friendships; minting with befriend none`,
      );
      befriend = "none";
    }
    const body = JSON.stringify({
      users: n,
      groups: groups.map((members, i) => ({ name: `Load ${first + i}`, members })),
      befriend,
    });
    const started = performance.now();
    const response = await fetch(new URL("/admin/fixtures", baseUrl), {
      method: "POST",
      headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
      body,
    });
    if (response.status !== 201) {
      throw new Error(`POST /admin/fixtures: ${response.status} ${await response.text()}`);
    }
    const answer = (await response.json()) as FixturesAnswer;
    log(
      `fixtures: ${n} users, ${groups.length} groups (befriend ${befriend}) in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    const groupsOfUser = answer.users.map(() => [] as string[]);
    // Round by round, so a user's first group is its round-0 group.
    for (const [g, members] of groups.entries()) {
      const id = answer.groups[g]?.id;
      if (id === undefined) throw new Error(`fixtures answered ${answer.groups.length} groups`);
      for (const member of members) groupsOfUser[member]?.push(id);
    }
    for (const [i, user] of answer.users.entries()) {
      const mine = groupsOfUser[i] ?? [];
      specs.push({
        token: user.token,
        joinGroups: layout.join === "all" ? mine : layout.join === "first" ? mine.slice(0, 1) : [],
        sendGroup: layout.isSending ? mine[0] : undefined,
      });
    }
  }
  return specs;
}
