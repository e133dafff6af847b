import type { AppContext } from "../../app-context.ts";
import { OAUTH_PROVIDERS } from "../../auth/oauth.ts";
import type { Router } from "../router.ts";
import { clearedSessionCookie } from "../session-cookie.ts";

export function sessionRoutes(router: Router, ctx: AppContext): void {
  router.get("/auth/providers", () => ({
    status: 200,
    body: {
      providers: OAUTH_PROVIDERS.filter((name) => ctx.config.oauth[name]),
      magicLink: true,
      magicLinkDelivery: ctx.mailer.kind,
    },
  }));

  router.post("/auth/logout", async (request) => {
    const auth = await ctx.auth.require(request);
    await ctx.sessions.revoke(auth);
    request.log.info({ event: "signed_out", userId: auth.userId });
    return { status: 204, headers: { "set-cookie": clearedSessionCookie(ctx.appOrigin()) } };
  });
}
