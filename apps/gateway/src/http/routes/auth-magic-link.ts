import * as v from "valibot";
import type { AppContext } from "../../app-context.ts";
import { AppError } from "../../app-error.ts";
import { nameFromEmail } from "../../auth/imported-name.ts";
import { consumeMagicLink, createMagicLink, magicLinkUrl } from "../../auth/magic-links.ts";
import { appPagePath } from "../../auth/next-path.ts";
import { findOrCreateUserByEmail, toMe } from "../../db/users.ts";
import { perPeriod, RateLimiter } from "../../limits/rate-limiter.ts";
import { checkOrigin } from "../request-auth.ts";
import type { Router } from "../router.ts";
import { sessionCookie } from "../session-cookie.ts";
import { parseBody } from "../validate.ts";

const MagicLinkRequest = v.object({
  email: v.pipe(
    v.string("expected a string"),
    v.trim(),
    v.maxLength(254, "expected an email address of at most 254 characters"),
    v.email("expected a valid email address"),
  ),
  /** An app page to continue to; anything else is dropped (`appPagePath`), never an error. */
  next: v.optional(v.pipe(v.string("expected a path"), v.maxLength(256, "expected a path"))),
});

const MagicLinkVerify = v.object({
  token: v.pipe(v.string("expected a string"), v.minLength(1), v.maxLength(128)),
});

/** `MAGIC_LINKS_PER_15_MIN` is counted over this window (it happens to equal the link lifetime). */
const MAGIC_LINK_LIMIT_WINDOW_MS = 15 * 60 * 1000;

export function magicLinkRoutes(router: Router, ctx: AppContext): void {
  const perEmail = new RateLimiter(
    [perPeriod(ctx.config.limits.magicLinksPer15Min, MAGIC_LINK_LIMIT_WINDOW_MS)],
    ctx.now,
  );
  const perIp = new RateLimiter(
    [perPeriod(ctx.config.limits.magicLinksPer15Min, MAGIC_LINK_LIMIT_WINDOW_MS)],
    ctx.now,
  );

  // The answer never depends on whether the address has an account: no user lookup happens here
  // (the account is created when the link is redeemed).
  router.post("/auth/magic-link", async (request) => {
    checkOrigin(request.headers, ctx.appOrigin(), false);
    const { email, next } = parseBody(MagicLinkRequest, await request.json());
    const normalized = email.toLowerCase();
    for (const [limiter, key] of [
      [perIp, request.ip],
      [perEmail, normalized],
    ] as const) {
      const spend = limiter.spend(key);
      if (!spend.ok) {
        ctx.metrics.rateLimited("magic_link");
        request.log.info({ event: "rate_limited", limit: "magic_link", ip: request.ip });
        throw new AppError("rate_limited", "too many sign-in links requested; try again later", {
          retryAfterMs: spend.retryAfterMs,
        });
      }
    }
    const token = await createMagicLink(ctx.db, email, ctx.now());
    const link = magicLinkUrl(ctx.appOrigin(), token, appPagePath(next));
    ctx.mailer
      .send(
        {
          to: email,
          subject: "Your Clofri sign-in link",
          text: `Open this link to sign in to Clofri. It works once, for 15 minutes:\n\n${link}\n\nIf you did not ask for it, ignore this mail.`,
        },
        { link },
      )
      .catch((error: unknown) => request.log.error({ event: "mail_failed", err: error }));
    return { status: 202, body: { ok: true } };
  });

  router.post("/auth/magic-link/verify", async (request) => {
    checkOrigin(request.headers, ctx.appOrigin(), false);
    const { token } = parseBody(MagicLinkVerify, await request.json());
    const email = await consumeMagicLink(ctx.db, token, ctx.now());
    if (!email) {
      request.log.info({ event: "sign_in_failed", method: "magic_link", ip: request.ip });
      throw new AppError("gone", "this sign-in link has expired or was already used");
    }
    const { user, isNew } = await findOrCreateUserByEmail(ctx.db, email, {
      displayName: nameFromEmail(email),
    });
    const { token: sessionToken } = await ctx.sessions.create(
      user.id,
      request.headers.get("user-agent"),
    );
    request.log.info({
      event: "signed_in",
      method: "magic_link",
      userId: user.id,
      isNewUser: isNew,
    });
    return {
      status: 200,
      headers: { "set-cookie": sessionCookie(sessionToken, ctx.appOrigin()) },
      body: { user: toMe(user) },
    };
  });
}
