import type { PresenceMode, User } from "../db/tables.ts";
import { profileAudience, updateUserProfile } from "../db/users.ts";
import { commitThenEmit } from "./commit.ts";
import type { SocialContext } from "./social-context.ts";
import { userSummary } from "./views.ts";

export interface ProfileChanges {
  displayName?: string;
  avatarUrl?: string | null;
}

/**
 * Changes my name or avatar; when either really changed, everyone who sees me (my sockets, my
 * friends, my groups' members) hears `profile_updated`. Undefined when I no longer exist.
 */
export async function updateProfile(
  ctx: Pick<SocialContext, "db" | "events">,
  meId: string,
  changes: ProfileChanges,
): Promise<User | undefined> {
  return commitThenEmit(ctx, async (trx, emit) => {
    const before = await trx
      .selectFrom("users")
      .select(["display_name", "avatar_url"])
      .where("id", "=", meId)
      .forUpdate()
      .executeTakeFirst();
    if (before === undefined) return undefined;
    const user = await updateUserProfile(trx, meId, changes);
    if (user === undefined) return undefined;
    if (user.display_name === before.display_name && user.avatar_url === before.avatar_url) {
      return user;
    }
    const summary = userSummary(user);
    const audience = await profileAudience(trx, meId);
    emit({
      type: "profile_updated",
      user: summary,
      groups: audience.groupIds,
      deliveries: audience.userIds.map((userId) => ({
        userId,
        frame: { type: "profile_updated", user: summary },
      })),
    });
    return user;
  });
}

/**
 * Sets how I appear. Switching to appear offline while friends see me online stores now as my
 * last-seen time, the one they are shown from then on. My own sockets hear `presence_mode`.
 */
export async function setPresenceMode(
  ctx: Pick<SocialContext, "db" | "events" | "presence" | "now">,
  meId: string,
  mode: PresenceMode,
): Promise<User | undefined> {
  return commitThenEmit(ctx, async (trx, emit) => {
    const before = await trx
      .selectFrom("users")
      .select("presence_mode")
      .where("id", "=", meId)
      .forUpdate()
      .executeTakeFirst();
    if (before === undefined) return undefined;
    const isHiding = mode === "offline" && ctx.presence.isOnline(meId);
    const user = await trx
      .updateTable("users")
      .set(
        isHiding
          ? { presence_mode: mode, last_seen_at: new Date(ctx.now()) }
          : { presence_mode: mode },
      )
      .where("id", "=", meId)
      .returningAll()
      .executeTakeFirst();
    if (user === undefined || before.presence_mode === mode) return user;
    const groups = await trx
      .selectFrom("group_members")
      .select("group_id")
      .where("user_id", "=", meId)
      .execute();
    emit({
      type: "presence_mode",
      userId: meId,
      mode,
      groups: groups.map((row) => row.group_id),
      deliveries: [{ userId: meId, frame: { type: "presence_mode", presenceMode: mode } }],
    });
    return user;
  });
}
