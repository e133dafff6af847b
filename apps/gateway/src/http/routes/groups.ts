import * as v from "valibot";
import type { AppContext } from "../../app-context.ts";
import { listAudit } from "../../db/audit.ts";
import {
  addMembers,
  createGroup,
  deleteGroupAs,
  groupOf,
  groupsOf,
  renameGroupAs,
} from "../../social/groups.ts";
import { kickMember, leaveGroup, setMemberMuted } from "../../social/membership.ts";
import { requireCreatorOfGroup, requireMembership } from "../../social/permissions.ts";
import {
  AddMembersBody,
  CreateGroupBody,
  GroupMemberParams,
  IdParam,
  MuteBody,
  RenameGroupBody,
} from "../../social/schemas.ts";
import { auditEntry } from "../../social/views.ts";
import type { Router } from "../router.ts";
import { parseBody } from "../validate.ts";

const AUDIT_PAGE_SIZE = 100;

const AuditQuery = v.object({
  before: v.optional(
    v.pipe(v.string(), v.regex(/^\d{1,15}$/, "expected an audit entry id"), v.transform(Number)),
  ),
});

export function groupRoutes(router: Router, ctx: AppContext): void {
  router.get("/api/groups", async (request) => {
    const auth = await ctx.auth.require(request);
    return { status: 200, body: { groups: await groupsOf(ctx, auth.userId) } };
  });

  router.post("/api/groups", async (request) => {
    const auth = await ctx.auth.require(request);
    const body = parseBody(CreateGroupBody, await request.json());
    const group = await createGroup(ctx, auth.userId, body);
    request.log.info({ event: "group_created", userId: auth.userId, groupId: group.id });
    return { status: 201, body: { group } };
  });

  router.get("/api/groups/:id", async (request) => {
    const auth = await ctx.auth.require(request);
    const { id } = parseBody(IdParam, request.params);
    return { status: 200, body: { group: await groupOf(ctx, auth.userId, id) } };
  });

  router.patch("/api/groups/:id", async (request) => {
    const auth = await ctx.auth.require(request);
    const { id } = parseBody(IdParam, request.params);
    const { name } = parseBody(RenameGroupBody, await request.json());
    const group = await renameGroupAs(ctx, auth.userId, id, name);
    request.log.info({ event: "group_renamed", userId: auth.userId, groupId: id });
    return { status: 200, body: { group } };
  });

  router.delete("/api/groups/:id", async (request) => {
    const auth = await ctx.auth.require(request);
    const { id } = parseBody(IdParam, request.params);
    await deleteGroupAs(ctx, auth.userId, id);
    request.log.info({ event: "group_deleted", userId: auth.userId, groupId: id });
    return { status: 204 };
  });

  router.post("/api/groups/:id/members", async (request) => {
    const auth = await ctx.auth.require(request);
    const { id } = parseBody(IdParam, request.params);
    const { userIds } = parseBody(AddMembersBody, await request.json());
    const group = await addMembers(ctx, auth.userId, id, userIds);
    request.log.info({
      event: "members_added",
      userId: auth.userId,
      groupId: id,
      targets: userIds,
    });
    return { status: 200, body: { group } };
  });

  router.patch("/api/groups/:id/members/:userId", async (request) => {
    const auth = await ctx.auth.require(request);
    const { id, userId } = parseBody(GroupMemberParams, request.params);
    const { muted } = parseBody(MuteBody, await request.json());
    const member = await setMemberMuted(ctx, auth.userId, id, userId, muted);
    const event = muted ? "member_muted" : "member_unmuted";
    request.log.info({ event, userId: auth.userId, groupId: id, target: userId });
    return { status: 200, body: { member } };
  });

  router.delete("/api/groups/:id/members/:userId", async (request) => {
    const auth = await ctx.auth.require(request);
    const { id, userId } = parseBody(GroupMemberParams, request.params);
    await kickMember(ctx, auth.userId, id, userId);
    request.log.info({ event: "member_kicked", userId: auth.userId, groupId: id, target: userId });
    return { status: 204 };
  });

  router.post("/api/groups/:id/leave", async (request) => {
    const auth = await ctx.auth.require(request);
    const { id } = parseBody(IdParam, request.params);
    await leaveGroup(ctx, auth.userId, id);
    request.log.info({ event: "group_left", userId: auth.userId, groupId: id });
    return { status: 204 };
  });

  router.get("/api/groups/:id/audit", async (request) => {
    const auth = await ctx.auth.require(request);
    const { id } = parseBody(IdParam, request.params);
    const { before } = parseBody(AuditQuery, Object.fromEntries(request.query));
    requireCreatorOfGroup(await requireMembership(ctx.db, id, auth.userId), "read the audit log");
    const rows = await listAudit(ctx.db, id, { beforeId: before, limit: AUDIT_PAGE_SIZE });
    const entries = rows.map(auditEntry);
    return { status: 200, body: { entries } };
  });
}
