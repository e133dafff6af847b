import { timingSafeEqual } from "node:crypto";
import { generateCodeVerifier, generateState } from "arctic";
import type { AppContext } from "../../app-context.ts";
import {
  describeProviderError,
  isProviderName,
  type OAuthProfile,
  type OAuthProvider,
  oauthProvider,
} from "../../auth/oauth.ts";
import { sessionCookie } from "../../auth/session-cookie.ts";
import { signInWithOAuth } from "../../db/oauth-accounts.ts";
import { parseCookies, serializeCookie } from "../cookies.ts";
import { HttpError } from "../http-error.ts";
import type { Reply, Router } from "../router.ts";

/** Why a callback sent the browser back to the sign-in page: `/sign-in?error=<code>`. */
export type OAuthFailure =
  | "access_denied"
  | "provider_error"
  | "invalid_state"
  | "exchange_failed"
  | "email_unverified";

const STATE_TTL_MS = 10 * 60 * 1000;
const COOKIE_PATH = "/auth";

/** Register after the other `/auth/…` GET routes: `/auth/:provider` would shadow `/auth/providers`. */
export function oauthRoutes(router: Router, ctx: AppContext): void {
  router.get("/auth/:provider", (request) => {
    const provider = enabledProvider(ctx, request.params.provider);
    const state = generateState();
    const codeVerifier = provider.usesPkce ? generateCodeVerifier() : undefined;
    const url = provider.authorizationUrl(state, codeVerifier);
    const isSecure = ctx.appOrigin().startsWith("https:");
    const maxAgeSeconds = STATE_TTL_MS / 1000;
    const { stateName, verifierName } = cookieNames(provider);
    const cookies = [
      serializeCookie(stateName, state, { maxAgeSeconds, isSecure, path: COOKIE_PATH }),
    ];
    if (codeVerifier !== undefined) {
      cookies.push(
        serializeCookie(verifierName, codeVerifier, { maxAgeSeconds, isSecure, path: COOKIE_PATH }),
      );
    }
    return { status: 302, headers: { location: url.toString(), "set-cookie": cookies } };
  });

  router.get("/auth/:provider/callback", async (request) => {
    const provider = enabledProvider(ctx, request.params.provider);
    const { stateName, verifierName } = cookieNames(provider);
    const cookies = parseCookies(request.headers.get("cookie"));
    const fail = (reason: OAuthFailure, detail?: string): Reply => {
      // A failed exchange usually means misconfigured credentials or a provider outage.
      const level = reason === "exchange_failed" ? "warn" : "info";
      request.log[level]({
        event: "sign_in_failed",
        method: "oauth",
        provider: provider.name,
        reason,
        detail,
        ip: request.ip,
      });
      return {
        status: 302,
        headers: {
          location: `/sign-in?error=${reason}`,
          "set-cookie": clearedStateCookies(ctx, provider),
        },
      };
    };

    const providerError = request.query.get("error");
    if (providerError !== null) {
      return fail(
        providerError === "access_denied" ? "access_denied" : "provider_error",
        providerError.slice(0, 64),
      );
    }
    const code = request.query.get("code");
    if (!code) return fail("provider_error", "no code in the callback");
    if (!isSameState(request.query.get("state"), cookies.get(stateName))) {
      return fail("invalid_state");
    }
    const codeVerifier = cookies.get(verifierName);
    if (provider.usesPkce && !codeVerifier) return fail("invalid_state", "no code verifier cookie");

    let profile: OAuthProfile;
    try {
      profile = await provider.fetchProfile(code, codeVerifier);
    } catch (error) {
      return fail("exchange_failed", describeProviderError(error));
    }
    const result = await signInWithOAuth(ctx.db, { provider: provider.name, ...profile });
    if (!result.ok) return fail(result.error);

    const { token } = await ctx.sessions.create(result.user.id, request.headers.get("user-agent"));
    request.log.info({
      event: "signed_in",
      method: "oauth",
      provider: provider.name,
      userId: result.user.id,
      isNewUser: result.isNewUser,
      isNewLink: result.isNewLink,
    });
    return {
      status: 302,
      headers: {
        location: "/",
        "set-cookie": [
          sessionCookie(token, ctx.appOrigin()),
          ...clearedStateCookies(ctx, provider),
        ],
      },
    };
  });
}

function enabledProvider(ctx: AppContext, name: string | undefined): OAuthProvider {
  const provider =
    name !== undefined && isProviderName(name)
      ? oauthProvider(ctx.config.oauth, name, ctx.appOrigin())
      : undefined;
  if (!provider) throw new HttpError("not_found", `no sign-in provider named ${name}`);
  return provider;
}

// Named per provider so that sign-ins started in two tabs with different providers do not clobber
// each other's state.
function cookieNames(provider: OAuthProvider) {
  return {
    stateName: `clofri_oauth_state_${provider.name}`,
    verifierName: `clofri_oauth_verifier_${provider.name}`,
  };
}

function clearedStateCookies(ctx: AppContext, provider: OAuthProvider): string[] {
  const isSecure = ctx.appOrigin().startsWith("https:");
  const { stateName, verifierName } = cookieNames(provider);
  return [stateName, verifierName].map((name) =>
    serializeCookie(name, "", { maxAgeSeconds: 0, isSecure, path: COOKIE_PATH }),
  );
}

function isSameState(fromQuery: string | null, fromCookie: string | undefined): boolean {
  if (!fromQuery || !fromCookie) return false;
  const a = Buffer.from(fromQuery);
  const b = Buffer.from(fromCookie);
  return a.length === b.length && timingSafeEqual(a, b);
}
