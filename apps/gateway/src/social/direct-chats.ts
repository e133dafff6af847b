import { AppError } from "../app-error.ts";
import { friendIdsAmong } from "../db/friends.ts";
import { findDirectGroup, insertDirectGroup, insertMembers, listMembers } from "../db/groups.ts";
import { commitThenEmit } from "./commit.ts";
import { groupAdded } from "./groups.ts";
import type { SocialContext } from "./social-context.ts";
import { type GroupView, groupView } from "./views.ts";

/**
 * The one direct chat of two friends, created on first use. Two first uses at once are settled by
 * the unique pair: one insert wins, the other waits for it and reads the winner's group. Nobody
 * moderates a direct chat, so both are plain members.
 */
export async function openDirectChat(
  ctx: SocialContext,
  meId: string,
  friendId: string,
): Promise<{ group: GroupView; isNew: boolean }> {
  return commitThenEmit(ctx, async (trx, emit) => {
    // Locks the friendship (shared) so that it cannot be removed while its chat is being made.
    const friends = await friendIdsAmong(trx, meId, [friendId]);
    if (!friends.has(friendId)) throw new AppError("not_found", "no such friend");
    const created = await insertDirectGroup(trx, meId, friendId);
    const group = created ?? (await findDirectGroup(trx, meId, friendId));
    if (!group) throw new Error(`expected the direct chat of ${meId} and ${friendId} to exist`);
    if (created) {
      await insertMembers(trx, group.id, [
        { userId: meId, role: "member" },
        { userId: friendId, role: "member" },
      ]);
    }
    const members = await listMembers(trx, [group.id]);
    if (created) emit(groupAdded(group, members, members, ctx.presence));
    const me = members.find((m) => m.user_id === meId);
    if (!me) throw new Error(`expected ${meId} in their direct chat ${group.id}`);
    return { group: groupView(group, me, members, ctx.presence), isNew: created !== undefined };
  });
}
