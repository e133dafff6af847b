import type { UserSummary } from "@clofri/protocol";
import type { Kysely } from "kysely";
import { AppError } from "../app-error.ts";
import { writeAudit } from "../db/audit.ts";
import { countMembers, findGroup, findMember, insertMembers, listMembers } from "../db/groups.ts";
import {
  consumeInvite,
  findInvite,
  insertInvite,
  isInviteLive,
  listLiveInvites,
  predatesKickOf,
  revokeInvite,
} from "../db/invites.ts";
import type { Database, GroupInvite } from "../db/tables.ts";
import { findUserById } from "../db/users.ts";
import { newCode } from "../tokens.ts";
import { commitThenEmit } from "./commit.ts";
import { groupAdded, groupFull, loadView } from "./groups.ts";
import { requireCreatorOfGroup, requireMembership } from "./permissions.ts";
import { INVITE_CODE_LENGTH, MAX_GROUP_MEMBERS } from "./schemas.ts";
import type { SocialContext } from "./social-context.ts";
import { type GroupView, groupView, userSummary } from "./views.ts";

export interface InviteView {
  code: string;
  link: string;
  expiresAt: number;
  maxUses: number;
  uses: number;
  createdAt: number;
  inviterId: string;
}

export interface InvitePreview {
  code: string;
  group: { name: string; memberCount: number };
  inviter: UserSummary;
  expiresAt: number;
  /** The caller is in the group already: joining changes nothing. */
  isMember: boolean;
}

const MAX_CODE_ATTEMPTS = 5;

export async function createInvite(
  ctx: SocialContext,
  meId: string,
  groupId: string,
  options: { expiresInMs: number; maxUses: number },
): Promise<InviteView> {
  return commitThenEmit(ctx, async (trx) => {
    const membership = await requireMembership(trx, groupId, meId, { lock: true });
    requireCreatorOfGroup(membership, "create invite links");
    const expiresAt = new Date(ctx.now() + options.expiresInMs);
    for (let attempt = 1; attempt <= MAX_CODE_ATTEMPTS; attempt++) {
      const invite = await insertInvite(trx, {
        code: newCode(INVITE_CODE_LENGTH),
        groupId,
        inviterId: meId,
        expiresAt,
        maxUses: options.maxUses,
      });
      if (!invite) continue;
      await writeAudit(trx, [
        {
          action: "invite_created",
          actorId: meId,
          groupId,
          meta: {
            code: invite.code,
            expiresAt: expiresAt.getTime(),
            maxUses: invite.max_uses,
          },
        },
      ]);
      return inviteView(ctx, invite);
    }
    throw new Error(`no free invite code after ${MAX_CODE_ATTEMPTS} draws`);
  });
}

export async function invitesOf(
  ctx: SocialContext,
  meId: string,
  groupId: string,
): Promise<InviteView[]> {
  const membership = await requireMembership(ctx.db, groupId, meId);
  requireCreatorOfGroup(membership, "see invite links");
  const invites = await listLiveInvites(ctx.db, groupId, new Date(ctx.now()));
  return invites.map((invite) => inviteView(ctx, invite));
}

/** Revoking twice is harmless; a code the group never had is `not_found`. */
export async function revokeInviteAs(
  ctx: SocialContext,
  meId: string,
  groupId: string,
  code: string,
) {
  await commitThenEmit(ctx, async (trx) => {
    const membership = await requireMembership(trx, groupId, meId, { lock: true });
    requireCreatorOfGroup(membership, "revoke invite links");
    if (await revokeInvite(trx, groupId, code, new Date(ctx.now()))) {
      await writeAudit(trx, [{ action: "invite_revoked", actorId: meId, groupId, meta: { code } }]);
      return;
    }
    const invite = await findInvite(trx, code);
    if (invite?.group_id !== groupId) throw new AppError("not_found", "no such invite");
  });
}

/** What an invite leads to, without joining: for the page a link opens. */
export async function previewInvite(
  ctx: SocialContext,
  meId: string,
  code: string,
): Promise<InvitePreview> {
  const invite = await findInvite(ctx.db, code);
  const group = invite && (await findGroup(ctx.db, invite.group_id));
  const inviter = invite && (await findUserById(ctx.db, invite.inviter_id));
  if (!invite || !group || !inviter) throw new AppError("not_found", "no such invite");
  const isMember = (await findMember(ctx.db, group.id, meId)) !== undefined;
  if (!isMember) await requireUsableBy(ctx, ctx.db, invite, meId);
  return {
    code: invite.code,
    group: { name: group.name, memberCount: await countMembers(ctx.db, group.id) },
    inviter: userSummary(inviter),
    expiresAt: invite.expires_at.getTime(),
    isMember,
  };
}

/**
 * Joins by code. A member joining again gets the group and uses nothing. Otherwise one use is
 * taken by a single conditional UPDATE, so N parallel joins on an invite with k uses left admit
 * exactly k; the group row lock makes the 50-member check and the insert one step.
 */
export async function joinByInvite(
  ctx: SocialContext,
  meId: string,
  code: string,
): Promise<GroupView> {
  return commitThenEmit(ctx, async (trx, emit) => {
    const invite = await findInvite(trx, code);
    const group = invite && (await findGroup(trx, invite.group_id, { lock: true }));
    if (!invite || !group) throw new AppError("not_found", "no such invite");
    const existing = await findMember(trx, group.id, meId);
    if (existing) return loadView(trx, ctx.presence, { group, member: existing });
    await requireUsableBy(ctx, trx, invite, meId);
    if ((await countMembers(trx, group.id)) >= MAX_GROUP_MEMBERS) throw groupFull();
    const used = await consumeInvite(trx, code, new Date(ctx.now()));
    if (!used) throw goneInvite();
    await insertMembers(trx, group.id, [{ userId: meId, role: "member" }]);
    await writeAudit(trx, [
      {
        action: "invite_used",
        actorId: meId,
        groupId: group.id,
        targetUserId: meId,
        meta: { code, inviterId: used.inviter_id, uses: used.uses },
      },
    ]);
    const members = await listMembers(trx, [group.id]);
    const joined = members.filter((m) => m.user_id === meId);
    emit(groupAdded(group, joined, members, ctx.presence));
    const [me] = joined;
    if (!me) throw new Error(`expected ${meId} among the members after joining`);
    return groupView(group, me, members, ctx.presence);
  });
}

/**
 * Live, and not older than the caller's latest removal from the group: someone removed comes back
 * only through a newer invite. They get the same `gone` as for a dead invite, which tells nothing
 * more.
 */
async function requireUsableBy(
  ctx: SocialContext,
  db: Kysely<Database>,
  invite: GroupInvite,
  userId: string,
): Promise<void> {
  if (!isInviteLive(invite, new Date(ctx.now()))) throw goneInvite();
  if (await predatesKickOf(db, invite.code, userId)) throw goneInvite();
}

function goneInvite(): AppError {
  return new AppError("gone", "this invite has expired, been used up or been revoked");
}

function inviteView(ctx: SocialContext, invite: GroupInvite): InviteView {
  return {
    code: invite.code,
    link: `${ctx.appOrigin()}/join/${invite.code}`,
    expiresAt: invite.expires_at.getTime(),
    maxUses: invite.max_uses,
    uses: invite.uses,
    createdAt: invite.created_at.getTime(),
    inviterId: invite.inviter_id,
  };
}
