import type { FriendSummary } from "@clofri/protocol";
import type { Kysely } from "kysely";
import { AppError } from "../app-error.ts";
import { hasBlocked } from "../db/blocks.ts";
import {
  acceptFriendRequest,
  deleteFriendship,
  deletePendingRequest,
  findFriendship,
  findUserByFriendCode,
  insertFriendRequest,
  listFriends,
  listPendingRequests,
} from "../db/friends.ts";
import { deleteDirectGroup } from "../db/groups.ts";
import type { Database, Friendship, User } from "../db/tables.ts";
import { findUserById } from "../db/users.ts";
import { commitThenEmit, type Emit } from "./commit.ts";
import type { SocialEvent } from "./events.ts";
import type { FriendCodeLimits } from "./friend-code-limits.ts";
import type { SocialContext } from "./social-context.ts";
import { friendSummary, type IncomingRequest, type OutgoingRequest, userSummary } from "./views.ts";

export type SendRequestResult =
  | { kind: "requested"; request: OutgoingRequest }
  | { kind: "befriended"; friend: FriendSummary };

// A row can change between reading it and acting on it (the other person accepts, cancels or asks
// at the same moment); each retry reads the new state, and a couple always settle it.
const MAX_REQUEST_ATTEMPTS = 3;

/**
 * A friend request by code. When the other person had already asked me, we become friends at once;
 * when both ask at the same moment, the unique pair index lets one insert win and the other
 * accept it, so the outcome is one friendship either way.
 */
export async function sendFriendRequest(
  ctx: SocialContext,
  limits: FriendCodeLimits,
  me: User,
  code: string,
  ip: string,
): Promise<SendRequestResult> {
  limits.beforeLookup(me.id, ip);
  const target = await findUserByFriendCode(ctx.db, code, me.id);
  if (!target) {
    limits.afterMiss(me.id, ip);
    throw new AppError("not_found", "no one has this friend code");
  }
  if (target.id === me.id) throw new AppError("invalid_request", "this is your own friend code");
  if (await hasBlocked(ctx.db, me.id, target.id)) {
    throw new AppError("conflict", "you blocked this person; unblock them first");
  }

  for (let attempt = 0; attempt < MAX_REQUEST_ATTEMPTS; attempt++) {
    const existing = await findFriendship(ctx.db, me.id, target.id);
    if (existing?.status === "accepted") {
      throw new AppError("conflict", "you are already friends");
    }
    if (existing?.requester_id === me.id) {
      throw new AppError("conflict", "you have already sent this person a request");
    }
    if (existing) {
      const accepted = await acceptFriendRequest(ctx.db, existing.id, me.id);
      if (accepted) return { kind: "befriended", friend: befriended(ctx, me, target) };
      continue;
    }
    const inserted = await insertFriendRequest(ctx.db, me.id, target.id);
    if (inserted) {
      ctx.events.emit({
        type: "friend_request",
        requestId: inserted.id,
        fromUserId: me.id,
        toUserId: target.id,
        deliveries: [
          {
            userId: target.id,
            frame: { type: "friend_request", request: { id: inserted.id, from: userSummary(me) } },
          },
        ],
      });
      return { kind: "requested", request: outgoing(inserted, target) };
    }
  }
  throw new AppError("conflict", "this request changed while it was being sent; try again");
}

export async function acceptRequest(
  ctx: SocialContext,
  me: User,
  requestId: string,
): Promise<FriendSummary> {
  const accepted = await acceptFriendRequest(ctx.db, requestId, me.id);
  const requester = accepted && (await findUserById(ctx.db, accepted.requester_id));
  if (!requester) throw new AppError("not_found", "no such friend request");
  return befriended(ctx, me, requester);
}

/** Declines quietly: the requester is not told (only my own tabs are), and may ask again later. */
export async function ignoreRequest(ctx: SocialContext, meId: string, requestId: string) {
  await commitThenEmit(ctx, async (trx, emit) => {
    const removed = await deletePendingRequest(trx, requestId, { addresseeId: meId });
    if (!removed) throw new AppError("not_found", "no such friend request");
    emit(requestRemoved(requestId, [meId]));
  });
}

/** Takes my request back: the one I asked stops seeing it, live. */
export async function cancelRequest(ctx: SocialContext, meId: string, requestId: string) {
  await commitThenEmit(ctx, async (trx, emit) => {
    const removed = await deletePendingRequest(trx, requestId, { requesterId: meId });
    if (!removed) throw new AppError("not_found", "no such friend request");
    emit(requestRemoved(requestId, [meId, removed.addresseeId]));
  });
}

export function requestRemoved(requestId: string, userIds: string[]): SocialEvent {
  return {
    type: "friend_request_removed",
    requestId,
    deliveries: userIds.map((userId) => ({
      userId,
      frame: { type: "friend_request_removed", requestId },
    })),
  };
}

/** Ends the friendship and, with it, the direct chat of the two. */
export async function removeFriend(ctx: SocialContext, meId: string, friendId: string) {
  await commitThenEmit(ctx, async (trx, emit) => {
    const removed = await endFriendship(trx, emit, meId, friendId);
    if (!removed) throw new AppError("not_found", "no such friend");
  });
}

/** Ends an accepted friendship and the direct chat, telling both; false when there was none. */
export async function endFriendship(
  trx: Kysely<Database>,
  emit: Emit,
  meId: string,
  friendId: string,
): Promise<boolean> {
  const removed = await deleteFriendship(trx, meId, friendId);
  if (!removed) return false;
  const pair: [string, string] = [meId, friendId];
  emit({
    type: "friend_removed",
    userIds: pair,
    deliveries: [
      { userId: meId, frame: { type: "friend_removed", userId: friendId } },
      { userId: friendId, frame: { type: "friend_removed", userId: meId } },
    ],
  });
  const directId = await deleteDirectGroup(trx, meId, friendId);
  if (directId) {
    emit({
      type: "group_deleted",
      group: directId,
      userIds: pair,
      deliveries: pair.map((userId) => ({
        userId,
        frame: { type: "group_deleted", group: directId },
      })),
    });
  }
  return true;
}

export async function friendsOf(ctx: SocialContext, meId: string): Promise<FriendSummary[]> {
  const friends = await listFriends(ctx.db, meId);
  return friends.map((friend) => friendSummary(friend, ctx.presence));
}

export async function requestsOf(
  ctx: SocialContext,
  meId: string,
): Promise<{ incoming: IncomingRequest[]; outgoing: OutgoingRequest[] }> {
  const rows = await listPendingRequests(ctx.db, meId);
  const incoming: IncomingRequest[] = [];
  const outgoing: OutgoingRequest[] = [];
  for (const row of rows) {
    const other = { id: row.user_id, display_name: row.display_name, avatar_url: row.avatar_url };
    const createdAt = row.created_at.getTime();
    if (row.requester_id === meId) outgoing.push({ id: row.id, to: userSummary(other), createdAt });
    else incoming.push({ id: row.id, from: userSummary(other), createdAt });
  }
  return { incoming, outgoing };
}

/** Tells both new friends (each about the other) and answers with the other one. */
function befriended(ctx: SocialContext, me: User, other: User): FriendSummary {
  const friend = friendSummary(other, ctx.presence);
  ctx.events.emit({
    type: "friend_added",
    userIds: [me.id, other.id],
    deliveries: [
      { userId: me.id, frame: { type: "friend_added", friend } },
      {
        userId: other.id,
        frame: { type: "friend_added", friend: friendSummary(me, ctx.presence) },
      },
    ],
  });
  return friend;
}

function outgoing(request: Friendship, to: User): OutgoingRequest {
  return { id: request.id, to: userSummary(to), createdAt: request.created_at.getTime() };
}
