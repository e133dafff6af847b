import * as v from "valibot";
import type { AppContext } from "../../app-context.ts";
import { blockedBy, blockUser, unblockUser } from "../../social/blocks.ts";
import { UserIdParam } from "../../social/schemas.ts";
import type { Router } from "../router.ts";
import { parseBody } from "../validate.ts";

const BlockBody = v.strictObject(UserIdParam.entries, "expected only userId");

export function blockRoutes(router: Router, ctx: AppContext): void {
  router.get("/api/blocks", async (request) => {
    const auth = await ctx.auth.require(request);
    return { status: 200, body: { blocks: await blockedBy(ctx, auth.userId) } };
  });

  router.post("/api/blocks", async (request) => {
    const auth = await ctx.auth.require(request);
    const { userId } = parseBody(BlockBody, await request.json());
    const { isNew, blocked } = await blockUser(ctx, auth.userId, userId);
    return { status: isNew ? 201 : 200, body: { blocked } };
  });

  router.delete("/api/blocks/:userId", async (request) => {
    const auth = await ctx.auth.require(request);
    const { userId } = parseBody(UserIdParam, request.params);
    await unblockUser(ctx, auth.userId, userId);
    return { status: 204 };
  });
}
