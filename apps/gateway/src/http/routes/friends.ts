import type { AppContext } from "../../app-context.ts";
import { AppError } from "../../app-error.ts";
import { rotateFriendCode } from "../../db/friends.ts";
import type { User } from "../../db/tables.ts";
import { findUserById } from "../../db/users.ts";
import { FriendCodeLimits } from "../../social/friend-code-limits.ts";
import {
  acceptRequest,
  cancelRequest,
  friendsOf,
  ignoreRequest,
  removeFriend,
  requestsOf,
  sendFriendRequest,
} from "../../social/friendships.ts";
import { FriendRequestBody, IdParam, UserIdParam } from "../../social/schemas.ts";
import type { Authenticated } from "../request-auth.ts";
import type { Request, Router } from "../router.ts";
import { parseBody } from "../validate.ts";

export function friendRoutes(router: Router, ctx: AppContext): void {
  const limits = new FriendCodeLimits(ctx.now);
  const codeReply = (code: string) => ({
    status: 200,
    body: { code, link: `${ctx.appOrigin()}/add/${code}` },
  });

  router.get("/api/friends", async (request) => {
    const auth = await ctx.auth.require(request);
    return { status: 200, body: { friends: await friendsOf(ctx, auth.userId) } };
  });

  router.get("/api/friends/code", async (request) => {
    const me = await signedInUser(ctx, await ctx.auth.require(request));
    return codeReply(me.friend_code);
  });

  router.post("/api/friends/code/rotate", async (request) => {
    const auth = await ctx.auth.require(request);
    const code = await rotateFriendCode(ctx.db, auth.userId);
    if (code === undefined) throw new AppError("unauthorized", "sign in first");
    request.log.info({ event: "friend_code_rotated", userId: auth.userId });
    return codeReply(code);
  });

  router.post("/api/friends/requests", async (request) => {
    const me = await signedInUser(ctx, await ctx.auth.require(request));
    const { code } = parseBody(FriendRequestBody, await request.json());
    const result = await sendFriendRequest(ctx, limits, me, code, request.ip).catch(
      (error: unknown) => {
        if (error instanceof AppError && error.code === "rate_limited") {
          ctx.metrics.rateLimited("friend_code");
          request.log.info({ event: "rate_limited", limit: "friend_code", userId: me.id });
        }
        throw error;
      },
    );
    return result.kind === "requested"
      ? { status: 201, body: { request: result.request } }
      : { status: 200, body: { friend: result.friend } };
  });

  router.get("/api/friends/requests", async (request) => {
    const auth = await ctx.auth.require(request);
    return { status: 200, body: await requestsOf(ctx, auth.userId) };
  });

  router.post("/api/friends/requests/:id/accept", async (request) => {
    const me = await signedInUser(ctx, await ctx.auth.require(request));
    const friend = await acceptRequest(ctx, me, requestId(request));
    return { status: 200, body: { friend } };
  });

  router.post("/api/friends/requests/:id/ignore", async (request) => {
    const auth = await ctx.auth.require(request);
    await ignoreRequest(ctx, auth.userId, requestId(request));
    return { status: 204 };
  });

  router.delete("/api/friends/requests/:id", async (request) => {
    const auth = await ctx.auth.require(request);
    await cancelRequest(ctx, auth.userId, requestId(request));
    return { status: 204 };
  });

  router.delete("/api/friends/:userId", async (request) => {
    const auth = await ctx.auth.require(request);
    const { userId } = parseBody(UserIdParam, request.params);
    await removeFriend(ctx, auth.userId, userId);
    return { status: 204 };
  });
}

function requestId(request: Request): string {
  return parseBody(IdParam, request.params).id;
}

/** The caller's row; a session whose user was deleted a moment ago counts as signed out. */
async function signedInUser(ctx: AppContext, auth: Authenticated): Promise<User> {
  const user = await findUserById(ctx.db, auth.userId);
  if (!user) throw new AppError("unauthorized", "sign in first");
  return user;
}
