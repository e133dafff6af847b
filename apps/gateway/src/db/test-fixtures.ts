import { randomBytes } from "node:crypto";
import type { Kysely } from "kysely";
import type { Database, NewUser, User } from "./tables.ts";

/** Inserts a user with a unique email and friend code unless `overrides` names them. */
export async function insertUser(
  db: Kysely<Database>,
  overrides: Partial<NewUser> = {},
): Promise<User> {
  const tag = randomBytes(5).toString("hex");
  return db
    .insertInto("users")
    .values({
      email: `user-${tag}@example.test`,
      display_name: `User ${tag}`,
      friend_code: tag.toUpperCase(),
      ...overrides,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}
