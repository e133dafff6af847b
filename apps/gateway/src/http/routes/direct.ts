import type { AppContext } from "../../app-context.ts";
import { openDirectChat } from "../../social/direct-chats.ts";
import { FriendIdParam } from "../../social/schemas.ts";
import type { Router } from "../router.ts";
import { parseBody } from "../validate.ts";

export function directRoutes(router: Router, ctx: AppContext): void {
  // 201 when this call made the chat, 200 when it existed: the body is the same either way.
  router.post("/api/direct/:friendId", async (request) => {
    const auth = await ctx.auth.require(request);
    const { friendId } = parseBody(FriendIdParam, request.params);
    const { group, isNew } = await openDirectChat(ctx, auth.userId, friendId);
    return { status: isNew ? 201 : 200, body: { group } };
  });
}
