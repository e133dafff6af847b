import * as v from "valibot";
import type { AppContext } from "../../app-context.ts";
import { findUserById, toMe, updateUserProfile } from "../../db/users.ts";
import { HttpError } from "../http-error.ts";
import type { Router } from "../router.ts";
import { parseBody } from "../validate.ts";

export const DisplayName = v.pipe(
  v.string("expected a string"),
  v.trim(),
  v.minLength(1, "expected 1 to 64 characters"),
  v.maxLength(64, "expected 1 to 64 characters"),
  v.check((name) => !/\p{Cc}/u.test(name), "expected no control characters"),
);

const AvatarUrl = v.nullable(
  v.pipe(
    v.string("expected an https URL or null"),
    v.maxLength(2048, "expected at most 2048 characters"),
    v.check(
      (text) => URL.canParse(text) && new URL(text).protocol === "https:",
      "expected an https URL or null",
    ),
  ),
);

const ProfilePatch = v.strictObject(
  { displayName: v.optional(DisplayName), avatarUrl: v.optional(AvatarUrl) },
  "expected only displayName and avatarUrl",
);

export function meRoutes(router: Router, ctx: AppContext): void {
  router.get("/api/me", async (request) => {
    const auth = await ctx.auth.require(request);
    const user = await findUserById(ctx.db, auth.userId);
    if (!user) throw new HttpError("unauthorized", "sign in first");
    return { status: 200, body: { user: toMe(user) } };
  });

  router.patch("/api/me", async (request) => {
    const auth = await ctx.auth.require(request);
    const patch = parseBody(ProfilePatch, await request.json());
    const user = await updateUserProfile(ctx.db, auth.userId, patch);
    if (!user) throw new HttpError("unauthorized", "sign in first");
    return { status: 200, body: { user: toMe(user) } };
  });
}
