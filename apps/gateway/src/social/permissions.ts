import type { Kysely } from "kysely";
import { AppError } from "../app-error.ts";
import { findMembership, type Membership } from "../db/groups.ts";
import type { Database } from "../db/tables.ts";

// Who may do what to a group, in one place. Anyone who is not a member gets the same `not_found` as
// for a group that does not exist, so ids reveal nothing; members who may not do something get
// `forbidden`.

/** The caller's membership; `not_found` unless the group exists and they are in it. */
export async function requireMembership(
  db: Kysely<Database>,
  groupId: string,
  userId: string,
  options: { lock?: boolean } = {},
): Promise<Membership> {
  const membership = await findMembership(db, groupId, userId, options);
  if (!membership) throw new AppError("not_found", "no such group");
  return membership;
}

/** Creator-only actions: rename, add members, invites, kick, mute, delete, audit. */
function requireCreator(membership: Membership, doing: string): void {
  if (membership.member.role !== "creator") {
    throw new AppError("forbidden", `only the group's creator can ${doing}`);
  }
}

/** A direct chat is exactly its two friends: it cannot be renamed, joined, left or moderated. */
export function requireRegularGroup(membership: Membership, doing: string): void {
  if (membership.group.kind === "direct") {
    throw new AppError("forbidden", `this is a direct chat: nobody can ${doing}`);
  }
}

/** Both checks, in the order that gives the clearer message. */
export function requireCreatorOfGroup(membership: Membership, doing: string): void {
  requireRegularGroup(membership, doing);
  requireCreator(membership, doing);
}
