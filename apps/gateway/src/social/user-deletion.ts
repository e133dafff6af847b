import type { AppContext } from "../app-context.ts";
import { listFriends } from "../db/friends.ts";
import { listMembers, listMemberships } from "../db/groups.ts";
import { deleteUser } from "../db/users.ts";
import { commitThenEmit } from "./commit.ts";
import { groupDeleted } from "./groups.ts";
import { depart } from "./membership.ts";
import { requireMembership } from "./permissions.ts";

/**
 * Deletes a user as if they had left everything first, so the people who stay hear of it live:
 * each regular group loses a member (a creator hands it on, the last one out deletes it), their
 * direct chats are deleted, and each friend gets `friend_removed`. False for an unknown user.
 */
export async function deleteUserAndTell(ctx: AppContext, userId: string): Promise<boolean> {
  return commitThenEmit(ctx, async (trx, emit) => {
    const memberships = await listMemberships(trx, userId);
    for (const { group } of memberships) {
      const members = await listMembers(trx, [group.id]);
      if (group.kind === "direct") {
        emit(groupDeleted(group.id, members));
        continue;
      }
      // Take the group's lock as every membership change does, then depart like a leave.
      await requireMembership(trx, group.id, userId, { lock: true });
      await depart(trx, emit, { groupId: group.id, groupName: group.name, userId, members });
    }
    for (const friend of await listFriends(trx, userId)) {
      emit({
        type: "friend_removed",
        userIds: [userId, friend.id],
        deliveries: [{ userId: friend.id, frame: { type: "friend_removed", userId } }],
      });
    }
    // Direct chats, sessions, friendships and requests go with the user (cascades).
    return deleteUser(trx, userId);
  });
}
