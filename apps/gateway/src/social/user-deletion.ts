import { listFriends } from "../db/friends.ts";
import { findMembership, listMembers, listMemberships } from "../db/groups.ts";
import { deleteUser } from "../db/users.ts";
import { commitThenEmit } from "./commit.ts";
import { groupDeleted } from "./groups.ts";
import { depart } from "./membership.ts";
import type { SocialContext } from "./social-context.ts";

/**
 * Deletes a user as if they had left everything first, so the people who stay hear of it live:
 * each regular group loses a member (a creator hands it on, the last one out deletes it), their
 * direct chats are deleted, and each friend gets `friend_removed`. False for an unknown user.
 */
export async function deleteUserAndTell(ctx: SocialContext, userId: string): Promise<boolean> {
  return commitThenEmit(ctx, async (trx, emit) => {
    // Groups in a fixed order (oldest first), so two deletions sharing groups lock them alike.
    for (const { group } of await listMemberships(trx, userId)) {
      // The group's lock first, then its members, as every membership change does: a member
      // leaving at the same moment has either finished (and is not read here) or waits for us.
      const locked = await findMembership(trx, group.id, userId, { lock: true });
      if (!locked) continue; // removed, or the group deleted, before the lock was ours
      const members = await listMembers(trx, [group.id]);
      if (group.kind === "direct") {
        emit(groupDeleted(group.id, members));
        continue;
      }
      await depart(trx, emit, { groupId: group.id, groupName: locked.group.name, userId, members });
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
