import type { Kysely } from "kysely";
import { newCode } from "../tokens.ts";
import { isUniqueViolation } from "./errors.ts";
import type { Database, User } from "./tables.ts";

export const FRIEND_CODE_LENGTH = 8;
const MAX_CODE_ATTEMPTS = 5;

/** The name a new user starts with until they change it: the email's local part. */
function displayNameFromEmail(email: string): string {
  const local = email.split("@")[0] ?? "";
  return local.slice(0, 64) || "friend";
}

export async function findUserById(db: Kysely<Database>, id: string): Promise<User | undefined> {
  return db.selectFrom("users").selectAll().where("id", "=", id).executeTakeFirst();
}

async function findUserByEmail(db: Kysely<Database>, email: string): Promise<User | undefined> {
  return db.selectFrom("users").selectAll().where("email", "=", email).executeTakeFirst();
}

/**
 * The user with this email, created on first sign-in. Safe under concurrency: a racing insert of
 * the same email loses on the unique constraint and reads the winner's row.
 */
export async function findOrCreateUserByEmail(
  db: Kysely<Database>,
  email: string,
  profile: { displayName?: string; avatarUrl?: string | null } = {},
): Promise<{ user: User; isNew: boolean }> {
  const existing = await findUserByEmail(db, email);
  if (existing) return { user: existing, isNew: false };
  for (let attempt = 1; ; attempt++) {
    const inserted = await db
      .insertInto("users")
      .values({
        email,
        display_name: profile.displayName?.slice(0, 64) || displayNameFromEmail(email),
        avatar_url: profile.avatarUrl ?? null,
        friend_code: newCode(FRIEND_CODE_LENGTH),
      })
      .onConflict((conflict) => conflict.column("email").doNothing())
      .returningAll()
      .executeTakeFirst()
      .catch((error: unknown) => {
        // Only a friend-code collision lands here (email conflicts do nothing): try another code.
        if (isUniqueViolation(error) && attempt < MAX_CODE_ATTEMPTS) return null;
        throw error;
      });
    if (inserted) return { user: inserted, isNew: true };
    if (inserted === undefined) {
      const winner = await findUserByEmail(db, email);
      if (winner) return { user: winner, isNew: false };
    }
  }
}

export async function updateUserProfile(
  db: Kysely<Database>,
  id: string,
  changes: { displayName?: string; avatarUrl?: string | null },
): Promise<User | undefined> {
  const set: { display_name?: string; avatar_url?: string | null } = {};
  if (changes.displayName !== undefined) set.display_name = changes.displayName;
  if (changes.avatarUrl !== undefined) set.avatar_url = changes.avatarUrl;
  if (Object.keys(set).length === 0) return findUserById(db, id);
  return db.updateTable("users").set(set).where("id", "=", id).returningAll().executeTakeFirst();
}

export async function deleteUser(db: Kysely<Database>, id: string): Promise<boolean> {
  const result = await db.deleteFrom("users").where("id", "=", id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** The user as the API shows them to themself. */
export function toMe(user: User) {
  return {
    id: user.id,
    email: user.email,
    displayName: user.display_name,
    avatarUrl: user.avatar_url,
    friendCode: user.friend_code,
    presenceMode: user.presence_mode,
    createdAt: user.created_at.getTime(),
  };
}

/** Who sees this person's name: themself, their friends, and everyone in a group with them. */
export async function profileAudience(
  db: Kysely<Database>,
  userId: string,
): Promise<{ userIds: string[]; groupIds: string[] }> {
  const [friends, groups] = await Promise.all([
    db
      .selectFrom("friendships")
      .select((eb) =>
        eb
          .case()
          .when("requester_id", "=", userId)
          .then(eb.ref("addressee_id"))
          .else(eb.ref("requester_id"))
          .end()
          .as("friend_id"),
      )
      .where("status", "=", "accepted")
      .where((eb) => eb.or([eb("requester_id", "=", userId), eb("addressee_id", "=", userId)]))
      .execute(),
    db
      .selectFrom("group_members as mine")
      .innerJoin("group_members as others", "others.group_id", "mine.group_id")
      .select(["mine.group_id", "others.user_id"])
      .where("mine.user_id", "=", userId)
      .execute(),
  ]);
  const userIds = new Set([userId]);
  for (const { friend_id } of friends) userIds.add(friend_id);
  for (const { user_id } of groups) userIds.add(user_id);
  return {
    userIds: [...userIds],
    groupIds: [...new Set(groups.map(({ group_id }) => group_id))],
  };
}
