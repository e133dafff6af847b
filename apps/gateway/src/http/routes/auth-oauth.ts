import { timingSafeEqual } from "node:crypto";
import { generateCodeVerifier, generateState } from "arctic";
import type { AppContext } from "../../app-context.ts";
import { AppError } from "../../app-error.ts";
import { nameFromEmail } from "../../auth/imported-name.ts";
import { appPagePath } from "../../auth/next-path.ts";
import {
  describeProviderError,
  isProviderName,
  type OAuthProfile,
  type OAuthProvider,
  oauthProvider,
} from "../../auth/oauth.ts";
import { signInWithOAuth } from "../../db/oauth-accounts.ts";
import { parseCookies, serializeCookie } from "../cookies.ts";
import type { Reply, Request, Router } from "../router.ts";
import { sessionCookie } from "../session-cookie.ts";

/** Why a callback sent the browser back to the sign-in page: `/sign-in?error=<code>`. */
type OAuthFailure =
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
    const next = appPagePath(request.query.get("next"));
    const state = generateState();
    const codeVerifier = provider.usesPkce ? generateCodeVerifier() : undefined;
    const url = provider.authorizationUrl(state, codeVerifier);
    const isSecure = ctx.appOrigin().startsWith("https:");
    const maxAgeSeconds = STATE_TTL_MS / 1000;
    const { stateName, verifierName } = cookieNames(provider);
    const cookies = [
      serializeCookie(stateName, stateCookieValue(state, next), {
        maxAgeSeconds,
        isSecure,
        path: COOKIE_PATH,
      }),
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
    const fail = (reason: OAuthFailure, detail?: string) =>
      failedSignIn(ctx, request, provider, reason, detail);
    const checked = checkCallback(request, provider);
    if (!checked.ok) return fail(checked.reason, checked.detail);

    let profile: OAuthProfile;
    try {
      profile = await provider.fetchProfile(checked.code, checked.codeVerifier);
    } catch (error) {
      return fail("exchange_failed", describeProviderError(error));
    }
    const result = await signInWithOAuth(ctx.db, {
      provider: provider.name,
      ...profile,
      // A new account without a usable profile name is named after the email, cleaned likewise.
      displayName:
        profile.displayName ?? (profile.email ? nameFromEmail(profile.email) : undefined),
    });
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
        location: checked.next ?? "/",
        "set-cookie": [
          sessionCookie(token, ctx.appOrigin()),
          ...clearedStateCookies(ctx, provider),
        ],
      },
    };
  });
}

type CallbackCheck =
  | { ok: true; code: string; codeVerifier: string | undefined; next: string | undefined }
  | { ok: false; reason: OAuthFailure; detail?: string };

/** What the provider sent back, checked against the state this browser kept in its cookies. */
function checkCallback(request: Request, provider: OAuthProvider): CallbackCheck {
  const providerError = request.query.get("error");
  if (providerError !== null) {
    const reason = providerError === "access_denied" ? "access_denied" : "provider_error";
    return { ok: false, reason, detail: providerError.slice(0, 64) };
  }
  const code = request.query.get("code");
  if (!code) return { ok: false, reason: "provider_error", detail: "no code in the callback" };
  const { stateName, verifierName } = cookieNames(provider);
  const cookies = parseCookies(request.headers.get("cookie"));
  const kept = readStateCookie(cookies.get(stateName));
  if (!isSameState(request.query.get("state"), kept.state)) {
    return { ok: false, reason: "invalid_state" };
  }
  const codeVerifier = cookies.get(verifierName);
  if (provider.usesPkce && !codeVerifier) {
    return { ok: false, reason: "invalid_state", detail: "no code verifier cookie" };
  }
  return { ok: true, code, codeVerifier, next: kept.next };
}

/** Back to the sign-in page with the reason, the state cookies cleared. */
function failedSignIn(
  ctx: AppContext,
  request: Request,
  provider: OAuthProvider,
  reason: OAuthFailure,
  detail: string | undefined,
): Reply {
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
}

function enabledProvider(ctx: AppContext, name: string | undefined): OAuthProvider {
  const provider =
    name !== undefined && isProviderName(name)
      ? oauthProvider(ctx.config.oauth, name, ctx.appOrigin())
      : undefined;
  if (!provider) throw new AppError("not_found", `no sign-in provider named ${name}`);
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

// The state cookie also carries the app page to land on afterwards, as "<state>.<path>": one
// cookie, replaced by every new sign-in, so an old destination cannot linger. The path is checked
// again when read, in case the cookie was planted.
function stateCookieValue(state: string, next: string | undefined): string {
  return next === undefined ? state : `${state}.${next}`;
}

function readStateCookie(value: string | undefined): { state?: string; next?: string } {
  const dot = value?.indexOf(".") ?? -1;
  if (value === undefined || dot < 0) return { state: value };
  return { state: value.slice(0, dot), next: appPagePath(value.slice(dot + 1)) };
}

function isSameState(fromQuery: string | null, fromCookie: string | undefined): boolean {
  if (!fromQuery || !fromCookie) return false;
  const a = Buffer.from(fromQuery);
  const b = Buffer.from(fromCookie);
  return a.length === b.length && timingSafeEqual(a, b);
}
