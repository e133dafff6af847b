import type { ExpressionBuilder, Kysely } from "kysely";
import { newCode } from "../tokens.ts";
import { isUniqueViolation } from "./errors.ts";
import type { Database, Friendship, User } from "./tables.ts";
import { FRIEND_CODE_LENGTH } from "./users.ts";

const MAX_CODE_ATTEMPTS = 5;

/** The row of the pair, whichever of the two asked. */
function pairOf(eb: ExpressionBuilder<Database, "friendships">, a: string, b: string) {
  return eb.or([
    eb.and([eb("requester_id", "=", a), eb("addressee_id", "=", b)]),
    eb.and([eb("requester_id", "=", b), eb("addressee_id", "=", a)]),
  ]);
}

/**
 * The person with this code, as `askerId` may find them: someone who blocked the asker is not
 * found, exactly as an unknown code is not (the asker cannot tell the two apart).
 */
export async function findUserByFriendCode(
  db: Kysely<Database>,
  code: string,
  askerId: string,
): Promise<User | undefined> {
  return db
    .selectFrom("users")
    .selectAll()
    .where("friend_code", "=", code)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom("blocks")
            .select("blocks.blocker_id")
            .whereRef("blocks.blocker_id", "=", "users.id")
            .where("blocks.blocked_id", "=", askerId),
        ),
      ),
    )
    .executeTakeFirst();
}

export async function findFriendship(
  db: Kysely<Database>,
  a: string,
  b: string,
): Promise<Friendship | undefined> {
  return db
    .selectFrom("friendships")
    .selectAll()
    .where((eb) => pairOf(eb, a, b))
    .executeTakeFirst();
}

/** A pending request, or undefined when the pair already has a row (one per unordered pair). */
export async function insertFriendRequest(
  db: Kysely<Database>,
  requesterId: string,
  addresseeId: string,
): Promise<Friendship | undefined> {
  return db
    .insertInto("friendships")
    .values({ requester_id: requesterId, addressee_id: addresseeId })
    .onConflict((conflict) => conflict.doNothing())
    .returningAll()
    .executeTakeFirst();
}

/** Accepts a request addressed to `addresseeId`; undefined if there is no such pending request. */
export async function acceptFriendRequest(
  db: Kysely<Database>,
  requestId: string,
  addresseeId: string,
): Promise<Friendship | undefined> {
  return db
    .updateTable("friendships")
    .set({ status: "accepted" })
    .where("id", "=", requestId)
    .where("addressee_id", "=", addresseeId)
    .where("status", "=", "pending")
    .returningAll()
    .executeTakeFirst();
}

/** Deletes a pending request that `side` names as its requester or its addressee. */
/** Deletes a pending request seen from one side; the two people, or undefined if none was. */
export async function deletePendingRequest(
  db: Kysely<Database>,
  requestId: string,
  side: { requesterId: string } | { addresseeId: string },
): Promise<{ requesterId: string; addresseeId: string } | undefined> {
  const row = await db
    .deleteFrom("friendships")
    .where("id", "=", requestId)
    .where("status", "=", "pending")
    .where((eb) =>
      "requesterId" in side
        ? eb("requester_id", "=", side.requesterId)
        : eb("addressee_id", "=", side.addresseeId),
    )
    .returning(["requester_id", "addressee_id"])
    .executeTakeFirst();
  return row && { requesterId: row.requester_id, addresseeId: row.addressee_id };
}

/** Ends an accepted friendship; undefined when the two are not friends. */
export async function deleteFriendship(
  db: Kysely<Database>,
  a: string,
  b: string,
): Promise<Friendship | undefined> {
  return db
    .deleteFrom("friendships")
    .where((eb) => pairOf(eb, a, b))
    .where("status", "=", "accepted")
    .returningAll()
    .executeTakeFirst();
}

/** The other side of each of `userId`'s friendships with the given status, with its row. */
function othersOf(db: Kysely<Database>, userId: string) {
  return db
    .selectFrom("friendships")
    .innerJoin("users", (join) =>
      join.on((eb) =>
        eb.or([
          eb.and([
            eb("friendships.requester_id", "=", userId),
            eb("friendships.addressee_id", "=", eb.ref("users.id")),
          ]),
          eb.and([
            eb("friendships.addressee_id", "=", userId),
            eb("friendships.requester_id", "=", eb.ref("users.id")),
          ]),
        ]),
      ),
    );
}

export async function listFriends(db: Kysely<Database>, userId: string): Promise<User[]> {
  return othersOf(db, userId)
    .selectAll("users")
    .where("friendships.status", "=", "accepted")
    .orderBy("users.display_name")
    .orderBy("users.id")
    .execute();
}

export interface PendingRequestRow {
  id: string;
  requester_id: string;
  created_at: Date;
  user_id: string;
  display_name: string;
  avatar_url: string | null;
}

/** Pending requests to and from `userId`, oldest first, each with the other person. */
export async function listPendingRequests(
  db: Kysely<Database>,
  userId: string,
): Promise<PendingRequestRow[]> {
  return othersOf(db, userId)
    .select([
      "friendships.id",
      "friendships.requester_id",
      "friendships.created_at",
      "users.id as user_id",
      "users.display_name",
      "users.avatar_url",
    ])
    .where("friendships.status", "=", "pending")
    .orderBy("friendships.created_at")
    .orderBy("friendships.id")
    .execute();
}

/**
 * Which of `candidateIds` are friends of `userId`. In a transaction the rows are locked (shared)
 * until it ends, so a friendship cannot be removed under a group or direct chat being built on it.
 */
export async function friendIdsAmong(
  db: Kysely<Database>,
  userId: string,
  candidateIds: readonly string[],
): Promise<Set<string>> {
  if (candidateIds.length === 0) return new Set();
  const rows = await db
    .selectFrom("friendships")
    .select(["requester_id", "addressee_id"])
    .where("status", "=", "accepted")
    .where((eb) =>
      eb.or([
        eb.and([eb("requester_id", "=", userId), eb("addressee_id", "in", candidateIds)]),
        eb.and([eb("addressee_id", "=", userId), eb("requester_id", "in", candidateIds)]),
      ]),
    )
    .forShare()
    .execute();
  return new Set(
    rows.map((row) => (row.requester_id === userId ? row.addressee_id : row.requester_id)),
  );
}

/** A new friend code for the user; the old one stops working at once. */
export async function rotateFriendCode(
  db: Kysely<Database>,
  userId: string,
): Promise<string | undefined> {
  for (let attempt = 1; ; attempt++) {
    try {
      const row = await db
        .updateTable("users")
        .set({ friend_code: newCode(FRIEND_CODE_LENGTH) })
        .where("id", "=", userId)
        .returning("friend_code")
        .executeTakeFirst();
      return row?.friend_code;
    } catch (error) {
      // A collision with another user's code: draw again.
      if (!isUniqueViolation(error, "users_friend_code_unique") || attempt >= MAX_CODE_ATTEMPTS) {
        throw error;
      }
    }
  }
}
