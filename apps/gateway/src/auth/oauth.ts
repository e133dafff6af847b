import { Discord, decodeIdToken, GitHub, Google, OAuth2RequestError } from "arctic";
import * as v from "valibot";
import type { Config, OAuthCredentials } from "../config.ts";
import { importedName } from "./imported-name.ts";

export const OAUTH_PROVIDERS = ["google", "github", "discord"] as const;
export type ProviderName = (typeof OAUTH_PROVIDERS)[number];

/** Who the provider says signed in; the email counts only when the provider verified it. */
export interface OAuthProfile {
  providerUserId: string;
  email: string | undefined;
  isEmailVerified: boolean;
  displayName: string | undefined;
  avatarUrl: string | null;
}

export interface OAuthProvider {
  readonly name: ProviderName;
  /** GitHub's client in arctic 3.7 takes no code verifier; Google and Discord use PKCE (S256). */
  readonly usesPkce: boolean;
  authorizationUrl(state: string, codeVerifier: string | undefined): URL;
  /** Exchanges the code and reads the profile; throws when either step fails. */
  fetchProfile(code: string, codeVerifier: string | undefined): Promise<OAuthProfile>;
}

/** arctic's fetch has no deadline of its own, and a hung provider would hold the callback open. */
const PROVIDER_TIMEOUT_MS = 10_000;

export function isProviderName(name: string): name is ProviderName {
  return (OAUTH_PROVIDERS as readonly string[]).includes(name);
}

/** The provider when its credentials are configured; otherwise undefined (it is hidden). */
export function oauthProvider(
  oauth: Config["oauth"],
  name: ProviderName,
  appOrigin: string,
): OAuthProvider | undefined {
  const credentials = oauth[name];
  if (!credentials) return undefined;
  const redirectUri = `${appOrigin}/auth/${name}/callback`;
  switch (name) {
    case "google":
      return googleProvider(credentials, redirectUri);
    case "github":
      return githubProvider(credentials, redirectUri);
    case "discord":
      return discordProvider(credentials, redirectUri);
  }
}

/** Safe to log: an OAuth error code or an error message, never a code, token or verifier. */
export function describeProviderError(error: unknown): string {
  if (error instanceof OAuth2RequestError) return `oauth2 error ${error.code}`;
  return error instanceof Error ? error.message : String(error);
}

const GoogleClaims = v.object({
  iss: v.picklist(["https://accounts.google.com", "accounts.google.com"]),
  aud: v.string(),
  sub: v.string(),
  email: v.optional(v.string()),
  email_verified: v.optional(v.boolean()),
  name: v.optional(v.string()),
  picture: v.optional(v.string()),
});

function googleProvider({ clientId, clientSecret }: OAuthCredentials, redirectUri: string) {
  const google = new Google(clientId, clientSecret, redirectUri);
  return {
    name: "google",
    usesPkce: true,
    authorizationUrl: (state, codeVerifier) =>
      google.createAuthorizationURL(state, required(codeVerifier), ["openid", "email", "profile"]),
    async fetchProfile(code, codeVerifier) {
      const tokens = await withDeadline(
        google.validateAuthorizationCode(code, required(codeVerifier)),
      );
      // The ID token came straight from Google's token endpoint over TLS, so its signature need
      // not be checked (OpenID Connect Core 3.1.3.7); the audience still must be us.
      const claims = v.parse(GoogleClaims, decodeIdToken(tokens.idToken()));
      if (claims.aud !== clientId) throw new Error("the ID token was issued to another client");
      return {
        providerUserId: claims.sub,
        email: claims.email,
        isEmailVerified: claims.email_verified === true,
        displayName: importedName(claims.name),
        avatarUrl: httpsUrl(claims.picture),
      };
    },
  } satisfies OAuthProvider;
}

const GitHubUser = v.object({
  id: v.number(),
  login: v.string(),
  name: v.nullish(v.string()),
  avatar_url: v.nullish(v.string()),
});
const GitHubEmails = v.array(
  v.object({ email: v.string(), primary: v.boolean(), verified: v.boolean() }),
);

function githubProvider({ clientId, clientSecret }: OAuthCredentials, redirectUri: string) {
  const github = new GitHub(clientId, clientSecret, redirectUri);
  return {
    name: "github",
    usesPkce: false,
    authorizationUrl: (state) => github.createAuthorizationURL(state, ["read:user", "user:email"]),
    async fetchProfile(code) {
      const tokens = await withDeadline(github.validateAuthorizationCode(code));
      const headers = {
        authorization: `Bearer ${tokens.accessToken()}`,
        accept: "application/vnd.github+json",
        "user-agent": "clofri",
      };
      const [user, emails] = await Promise.all([
        getJson("https://api.github.com/user", headers, GitHubUser),
        getJson("https://api.github.com/user/emails", headers, GitHubEmails),
      ]);
      const primary = emails.find((entry) => entry.primary && entry.verified);
      return {
        providerUserId: String(user.id),
        email: primary?.email,
        isEmailVerified: primary !== undefined,
        displayName: importedName(user.name) ?? importedName(user.login),
        avatarUrl: httpsUrl(user.avatar_url),
      };
    },
  } satisfies OAuthProvider;
}

const DiscordUser = v.object({
  id: v.string(),
  username: v.string(),
  global_name: v.nullish(v.string()),
  avatar: v.nullish(v.string()),
  email: v.nullish(v.string()),
  verified: v.optional(v.boolean()),
});

function discordProvider({ clientId, clientSecret }: OAuthCredentials, redirectUri: string) {
  const discord = new Discord(clientId, clientSecret, redirectUri);
  return {
    name: "discord",
    usesPkce: true,
    authorizationUrl: (state, codeVerifier) =>
      discord.createAuthorizationURL(state, required(codeVerifier), ["identify", "email"]),
    async fetchProfile(code, codeVerifier) {
      const tokens = await withDeadline(
        discord.validateAuthorizationCode(code, required(codeVerifier)),
      );
      const user = await getJson(
        "https://discord.com/api/users/@me",
        { authorization: `Bearer ${tokens.accessToken()}` },
        DiscordUser,
      );
      return {
        providerUserId: user.id,
        email: user.email ?? undefined,
        isEmailVerified: Boolean(user.email) && user.verified === true,
        displayName: importedName(user.global_name) ?? importedName(user.username),
        avatarUrl: user.avatar
          ? httpsUrl(
              `https://cdn.discordapp.com/avatars/${encodeURIComponent(user.id)}/${encodeURIComponent(user.avatar)}.png`,
            )
          : null,
      };
    },
  } satisfies OAuthProvider;
}

async function getJson<const TSchema extends v.GenericSchema>(
  url: string,
  headers: Record<string, string>,
  schema: TSchema,
): Promise<v.InferOutput<TSchema>> {
  const response = await fetch(url, { headers, signal: AbortSignal.timeout(PROVIDER_TIMEOUT_MS) });
  if (!response.ok) {
    await response.body?.cancel();
    throw new Error(`${url} answered ${response.status}`);
  }
  return v.parse(schema, await response.json());
}

function withDeadline<T>(promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`the provider did not answer within ${PROVIDER_TIMEOUT_MS} ms`)),
      PROVIDER_TIMEOUT_MS,
    );
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** Only an https URL of sane length becomes an avatar; anything else means initials. */
function httpsUrl(url: string | null | undefined): string | null {
  if (!url || url.length > 2048 || !URL.canParse(url)) return null;
  return new URL(url).protocol === "https:" ? url : null;
}

function required(codeVerifier: string | undefined): string {
  if (codeVerifier === undefined) throw new Error("expected a PKCE code verifier, got none");
  return codeVerifier;
}
