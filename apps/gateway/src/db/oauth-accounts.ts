import type { Kysely } from "kysely";
import type { Database, User } from "./tables.ts";
import { findOrCreateUserByEmail, findUserById } from "./users.ts";

export interface OAuthIdentity {
  provider: string;
  providerUserId: string;
  email: string | undefined;
  isEmailVerified: boolean;
  displayName: string | undefined;
  avatarUrl: string | null;
}

export type OAuthSignIn =
  | { ok: true; user: User; isNewUser: boolean; isNewLink: boolean }
  | { ok: false; error: "email_unverified" };

async function findUserByOAuthAccount(
  db: Kysely<Database>,
  provider: string,
  providerUserId: string,
): Promise<User | undefined> {
  return db
    .selectFrom("oauth_accounts")
    .innerJoin("users", "users.id", "oauth_accounts.user_id")
    .selectAll("users")
    .where("oauth_accounts.provider", "=", provider)
    .where("oauth_accounts.provider_user_id", "=", providerUserId)
    .executeTakeFirst();
}

/**
 * Links the provider account to the user and returns the user it is linked to: under a race with
 * another first sign-in of the same provider account, the winner's link stands.
 */
async function linkOAuthAccount(
  db: Kysely<Database>,
  link: { provider: string; providerUserId: string; userId: string },
): Promise<string> {
  const inserted = await db
    .insertInto("oauth_accounts")
    .values({
      provider: link.provider,
      provider_user_id: link.providerUserId,
      user_id: link.userId,
    })
    .onConflict((conflict) => conflict.columns(["provider", "provider_user_id"]).doNothing())
    .returning("user_id")
    .executeTakeFirst();
  if (inserted) return inserted.user_id;
  const existing = await db
    .selectFrom("oauth_accounts")
    .select("user_id")
    .where("provider", "=", link.provider)
    .where("provider_user_id", "=", link.providerUserId)
    .executeTakeFirstOrThrow();
  return existing.user_id;
}

/**
 * The user for a provider account: the linked one, else by the email the provider verified, else
 * new. An unverified email is refused: whoever proves it later would walk into this account.
 */
export async function signInWithOAuth(
  db: Kysely<Database>,
  identity: OAuthIdentity,
): Promise<OAuthSignIn> {
  const linked = await findUserByOAuthAccount(db, identity.provider, identity.providerUserId);
  if (linked) return { ok: true, user: linked, isNewUser: false, isNewLink: false };
  if (!identity.email || !identity.isEmailVerified) return { ok: false, error: "email_unverified" };

  const { user, isNew } = await findOrCreateUserByEmail(db, identity.email, {
    displayName: identity.displayName,
    avatarUrl: identity.avatarUrl,
  });
  const userId = await linkOAuthAccount(db, {
    provider: identity.provider,
    providerUserId: identity.providerUserId,
    userId: user.id,
  });
  if (userId !== user.id) {
    const winner = await findUserById(db, userId);
    if (!winner) throw new Error(`oauth account linked to user ${userId}, which does not exist`);
    return { ok: true, user: winner, isNewUser: false, isNewLink: false };
  }
  if (!isNew && user.avatar_url === null && identity.avatarUrl) {
    // A magic-link account has no picture yet: the provider's becomes its default, as for new users.
    const updated = await db
      .updateTable("users")
      .set({ avatar_url: identity.avatarUrl })
      .where("id", "=", user.id)
      .where("avatar_url", "is", null)
      .returningAll()
      .executeTakeFirst();
    return { ok: true, user: updated ?? user, isNewUser: false, isNewLink: true };
  }
  return { ok: true, user, isNewUser: isNew, isNewLink: true };
}
