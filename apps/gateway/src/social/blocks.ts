import type { UserSummary } from "@clofri/protocol";
import { AppError } from "../app-error.ts";
import { deleteBlock, deletePendingBetween, insertBlock, listBlocked } from "../db/blocks.ts";
import { findUserById } from "../db/users.ts";
import { commitThenEmit } from "./commit.ts";
import { endFriendship, requestRemoved } from "./friendships.ts";
import type { SocialContext } from "./social-context.ts";
import { userSummary } from "./views.ts";

export interface BlockedPerson extends UserSummary {
  blockedAt: number;
}

/**
 * Blocks someone: a friendship ends (and the direct chat with it) as a removal does, a pending
 * request either way goes (theirs as if ignored, mine as if cancelled), and their requests to me
 * fail from now on as an unknown code does. True when the block is new.
 */
export async function blockUser(ctx: SocialContext, meId: string, userId: string) {
  if (userId === meId) throw new AppError("invalid_request", "you cannot block yourself");
  return commitThenEmit(ctx, async (trx, emit) => {
    const target = await findUserById(trx, userId);
    if (target === undefined) throw new AppError("not_found", "no such person");
    const isNew = await insertBlock(trx, meId, userId);
    await endFriendship(trx, emit, meId, userId);
    const pending = await deletePendingBetween(trx, meId, userId);
    if (pending !== undefined) {
      const told = pending.requesterId === meId ? [meId, userId] : [meId];
      emit(requestRemoved(pending.id, told));
    }
    return { isNew, blocked: { ...userSummary(target), blockedAt: ctx.now() } };
  });
}

/** Unblocks: they can find my code again; no friendship comes back. */
export async function unblockUser(ctx: SocialContext, meId: string, userId: string) {
  if (!(await deleteBlock(ctx.db, meId, userId))) {
    throw new AppError("not_found", "you have not blocked this person");
  }
}

export async function blockedBy(ctx: SocialContext, meId: string): Promise<BlockedPerson[]> {
  const rows = await listBlocked(ctx.db, meId);
  return rows.map((row) => ({ ...userSummary(row), blockedAt: row.created_at.getTime() }));
}
