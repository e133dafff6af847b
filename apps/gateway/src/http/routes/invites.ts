import type { AppContext } from "../../app-context.ts";
import {
  createInvite,
  invitesOf,
  joinByInvite,
  previewInvite,
  revokeInviteAs,
} from "../../social/invites.ts";
import {
  CreateInviteBody,
  GroupInviteParams,
  IdParam,
  InviteCodeParam,
} from "../../social/schemas.ts";
import type { Request, Router } from "../router.ts";
import { parseBody } from "../validate.ts";

export function inviteRoutes(router: Router, ctx: AppContext): void {
  router.get("/api/groups/:id/invites", async (request) => {
    const auth = await ctx.auth.require(request);
    const { id } = parseBody(IdParam, request.params);
    return { status: 200, body: { invites: await invitesOf(ctx, auth.userId, id) } };
  });

  router.post("/api/groups/:id/invites", async (request) => {
    const auth = await ctx.auth.require(request);
    const { id } = parseBody(IdParam, request.params);
    const options = parseBody(CreateInviteBody, await optionalJson(request));
    const invite = await createInvite(ctx, auth.userId, id, options);
    request.log.info({ event: "invite_created", userId: auth.userId, groupId: id });
    return { status: 201, body: { invite } };
  });

  router.delete("/api/groups/:id/invites/:code", async (request) => {
    const auth = await ctx.auth.require(request);
    const { id, code } = parseBody(GroupInviteParams, request.params);
    await revokeInviteAs(ctx, auth.userId, id, code);
    request.log.info({ event: "invite_revoked", userId: auth.userId, groupId: id });
    return { status: 204 };
  });

  router.get("/api/invites/:code", async (request) => {
    const auth = await ctx.auth.require(request);
    const { code } = parseBody(InviteCodeParam, request.params);
    return { status: 200, body: { invite: await previewInvite(ctx, auth.userId, code) } };
  });

  router.post("/api/invites/:code/join", async (request) => {
    const auth = await ctx.auth.require(request);
    const { code } = parseBody(InviteCodeParam, request.params);
    const group = await joinByInvite(ctx, auth.userId, code);
    request.log.info({ event: "invite_used", userId: auth.userId, groupId: group.id });
    return { status: 200, body: { group } };
  });
}

/** Every field of an invite has a default, so the body may be left out altogether. */
async function optionalJson(request: Request): Promise<unknown> {
  const length = request.headers.get("content-length");
  const isEmpty =
    (length === undefined || length === "0") && !request.headers.has("transfer-encoding");
  return isEmpty ? {} : request.json();
}
