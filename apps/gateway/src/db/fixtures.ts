import { randomBytes, randomUUID } from "node:crypto";
import type { Kysely, Transaction } from "kysely";
import { hashToken, newCode, newToken, SESSION_MAX_AGE_MS } from "../tokens.ts";
import type { Database } from "./tables.ts";
import { FRIEND_CODE_LENGTH } from "./users.ts";

// Bulk creation of users, sessions, groups and friendships for load tests. Every table is written
// with multi-row INSERTs of CHUNK_ROWS rows: at most 5 columns × 4,000 rows = 20,000 bind
// parameters per statement, well under Postgres' limit of 65,535.

const CHUNK_ROWS = 4_000;
const MAX_CODE_ROUNDS = 5;
const FIXTURE_USER_AGENT = "clofri-fixtures";

type BefriendMode = "group" | "all" | "none";

export interface FixtureSpec {
  users: number;
  /** `members` index the users of this call; the first is the creator. */
  groups: ReadonlyArray<{ name: string; members: readonly number[] }>;
  befriend: BefriendMode;
}

export interface CreatedFixtures {
  users: Array<{ id: string; email: string; displayName: string; token: string }>;
  groups: Array<{ id: string; members: string[] }>;
  friendships: number;
}

/** The distinct unordered pairs of user indexes that become friends, as [low, high]. */
export function friendPairs(spec: FixtureSpec): Array<[number, number]> {
  const pairs: Array<[number, number]> = [];
  if (spec.befriend === "all") {
    for (let low = 0; low < spec.users; low++) {
      for (let high = low + 1; high < spec.users; high++) pairs.push([low, high]);
    }
  } else if (spec.befriend === "group") {
    const seen = new Set<number>();
    for (const { members } of spec.groups) {
      for (let i = 0; i < members.length; i++) {
        for (let j = i + 1; j < members.length; j++) {
          const a = members[i] as number;
          const b = members[j] as number;
          const [low, high] = a < b ? [a, b] : [b, a];
          const key = low * spec.users + high;
          if (seen.has(key)) continue;
          seen.add(key);
          pairs.push([low, high]);
        }
      }
    }
  }
  return pairs;
}

/**
 * Creates everything in one transaction, so a failure leaves nothing behind. Ids are made here
 * rather than returned by the database, so no statement needs to map rows back to indexes.
 */
export async function createFixtures(
  db: Kysely<Database>,
  spec: FixtureSpec,
  nowMs: number,
): Promise<CreatedFixtures> {
  const run = randomBytes(6).toString("hex");
  const users = Array.from({ length: spec.users }, (_, index) => ({
    id: randomUUID(),
    email: `load-${run}-${index}@fixtures.clofri.test`,
    displayName: `Load user ${index}`,
    token: newToken(),
  }));
  const groups = spec.groups.map((group) => ({
    id: randomUUID(),
    name: group.name,
    members: group.members.map((index) => (users[index] as { id: string }).id),
  }));
  const pairs = friendPairs(spec);
  const rows = fixtureRows(users, groups, pairs, nowMs);

  // PGlite has one connection, held by the transaction: only `trx` may be used in here.
  await db.transaction().execute(async (trx) => {
    await insertUsers(trx, users);
    await inChunks(rows.sessions, (chunk) => trx.insertInto("sessions").values(chunk).execute());
    await inChunks(rows.groups, (chunk) => trx.insertInto("groups").values(chunk).execute());
    await inChunks(rows.members, (chunk) =>
      trx.insertInto("group_members").values(chunk).execute(),
    );
    await inChunks(rows.friendships, (chunk) =>
      trx.insertInto("friendships").values(chunk).execute(),
    );
  });

  return {
    users,
    groups: groups.map(({ id, members }) => ({ id, members })),
    friendships: pairs.length,
  };
}

/** The rows of everything but the users, ready to insert; a group's first member creates it. */
function fixtureRows(
  users: ReadonlyArray<{ id: string; token: string }>,
  groups: ReadonlyArray<{ id: string; name: string; members: string[] }>,
  pairs: ReadonlyArray<[number, number]>,
  nowMs: number,
) {
  const userId = (index: number) => (users[index] as { id: string }).id;
  const createdAt = new Date(nowMs);
  const expiresAt = new Date(nowMs + SESSION_MAX_AGE_MS);
  return {
    sessions: users.map((user) => ({
      id: hashToken(user.token),
      user_id: user.id,
      created_at: createdAt,
      expires_at: expiresAt,
      user_agent: FIXTURE_USER_AGENT,
    })),
    groups: groups.map((group) => ({
      id: group.id,
      name: group.name,
      creator_id: group.members[0] as string,
    })),
    members: groups.flatMap((group) =>
      group.members.map((memberId, position) => ({
        group_id: group.id,
        user_id: memberId,
        role: position === 0 ? ("creator" as const) : ("member" as const),
      })),
    ),
    friendships: pairs.map(([low, high]) => ({
      requester_id: userId(low),
      addressee_id: userId(high),
      status: "accepted" as const,
    })),
  };
}

/** Runs one multi-row INSERT per chunk of rows, in order. */
async function inChunks<Row>(
  rows: readonly Row[],
  insert: (chunk: Row[]) => Promise<unknown>,
): Promise<void> {
  for (let start = 0; start < rows.length; start += CHUNK_ROWS) {
    await insert(rows.slice(start, start + CHUNK_ROWS));
  }
}

/**
 * Friend codes are random (40 bits): unique within the call by construction, and a clash with an
 * existing user's code (likely enough once millions of fixture users exist) skips that row, which
 * is then retried with a fresh code instead of failing the whole call.
 */
async function insertUsers(
  trx: Transaction<Database>,
  users: ReadonlyArray<{ id: string; email: string; displayName: string }>,
): Promise<void> {
  const usedCodes = new Set<string>();
  const freshCode = () => {
    let code = newCode(FRIEND_CODE_LENGTH);
    while (usedCodes.has(code)) code = newCode(FRIEND_CODE_LENGTH);
    usedCodes.add(code);
    return code;
  };
  let pending = users;
  for (let round = 1; pending.length > 0; round++) {
    if (round > MAX_CODE_ROUNDS) {
      throw new Error(`could not find free friend codes for ${pending.length} fixture users`);
    }
    const inserted = new Set<string>();
    await inChunks(pending, async (chunk) => {
      const rows = await trx
        .insertInto("users")
        .values(
          chunk.map((user) => ({
            id: user.id,
            email: user.email,
            display_name: user.displayName,
            friend_code: freshCode(),
          })),
        )
        .onConflict((conflict) => conflict.column("friend_code").doNothing())
        .returning("id")
        .execute();
      for (const row of rows) inserted.add(row.id);
    });
    pending = pending.filter((user) => !inserted.has(user.id));
  }
}
