import * as v from "valibot";
import type { AppContext } from "../../app-context.ts";
import { AppError } from "../../app-error.ts";
import { isAdminToken } from "../../auth/admin-token.ts";
import { createFixtures, type FixtureSpec, friendPairs } from "../../db/fixtures.ts";
import { findUserById } from "../../db/users.ts";
import { deleteUserAndTell } from "../../social/user-deletion.ts";
import type { Request, Router } from "../router.ts";
import { parseBody } from "../validate.ts";

// The fixtures/admin API of PROTOCOL.md, for operators and load testers. Its limits keep one call
// to a transaction of a few seconds: `befriend: "all"` makes N(N-1)/2 friendships, so it is taken
// only up to 500 users (124,750 rows); memberships and friendships per call are capped likewise.

export const FIXTURES_PATH = "/admin/fixtures";
/** 10,000 users in 2,500 groups is ~120 KB of JSON; the caps below fit in ~3 MB. */
export const FIXTURES_MAX_BODY_BYTES = 8 * 1024 * 1024;
const MAX_FIXTURE_USERS = 20_000;
const MAX_FIXTURE_GROUPS = 20_000;
const MAX_GROUP_MEMBERS = 50;
const MAX_FIXTURE_MEMBERSHIPS = 200_000;
const MAX_BEFRIEND_ALL_USERS = 500;
const MAX_FIXTURE_FRIENDSHIPS = 250_000;

const FixtureGroup = v.strictObject(
  {
    name: v.pipe(
      v.string("expected a string"),
      v.trim(),
      v.minLength(1, "expected 1 to 64 characters"),
      v.maxLength(64, "expected 1 to 64 characters"),
    ),
    members: v.pipe(
      v.array(
        v.pipe(
          v.number("expected user indexes"),
          v.integer("expected whole-number user indexes"),
          v.minValue(0, "expected user indexes from 0"),
        ),
        "expected an array of user indexes",
      ),
      v.minLength(1, `expected 1 to ${MAX_GROUP_MEMBERS} members`),
      v.maxLength(MAX_GROUP_MEMBERS, `expected 1 to ${MAX_GROUP_MEMBERS} members`),
      v.check((members) => new Set(members).size === members.length, "expected distinct members"),
    ),
  },
  "expected {name, members}",
);

const FixturesRequest = v.strictObject(
  {
    users: v.pipe(
      v.number("expected a number of users"),
      v.integer("expected a whole number of users"),
      v.minValue(1, `expected 1 to ${MAX_FIXTURE_USERS} users`),
      v.maxValue(MAX_FIXTURE_USERS, `expected 1 to ${MAX_FIXTURE_USERS} users`),
    ),
    groups: v.optional(
      v.pipe(
        v.array(FixtureGroup, "expected an array of groups"),
        v.maxLength(MAX_FIXTURE_GROUPS, `expected at most ${MAX_FIXTURE_GROUPS} groups`),
      ),
      [],
    ),
    befriend: v.optional(
      v.picklist(["group", "all", "none"], 'expected "group", "all" or "none"'),
      "group",
    ),
  },
  "expected only users, groups and befriend",
);

const UserIdParams = v.object({
  id: v.pipe(v.string(), v.uuid("expected a user id (a UUID)")),
});

export function adminRoutes(router: Router, ctx: AppContext): void {
  const adminToken = ctx.config.adminToken;
  // Without a token the routes do not exist: the API answers 404 like any unknown path.
  if (adminToken === undefined) return;

  const requireAdmin = (request: Request): void => {
    const authorization = request.headers.get("authorization") ?? "";
    const presented = /^bearer\s+(.+)$/i.exec(authorization)?.[1]?.trim();
    if (presented !== undefined && isAdminToken(presented, adminToken)) return;
    request.log.warn({ event: "admin_unauthorized", ip: request.ip, path: request.path });
    throw new AppError("unauthorized", "this needs Authorization: Bearer <ADMIN_TOKEN>");
  };

  router.post(FIXTURES_PATH, async (request) => {
    requireAdmin(request);
    const spec = checkFixtureSpec(parseBody(FixturesRequest, await request.json()));
    const startedAt = performance.now();
    const created = await createFixtures(ctx.db, spec, ctx.now());
    request.log.info({
      event: "admin_fixtures_created",
      users: created.users.length,
      groups: created.groups.length,
      friendships: created.friendships,
      durationMs: Math.round(performance.now() - startedAt),
    });
    return { status: 201, body: { users: created.users, groups: created.groups } };
  });

  router.delete("/admin/users/:id", async (request) => {
    requireAdmin(request);
    const { id } = parseBody(UserIdParams, request.params);
    if (!(await deleteUserAndTell(ctx, id)))
      throw new AppError("not_found", "no user with this id");
    ctx.sessions.announceUserGone(id);
    request.log.info({ event: "admin_user_deleted", userId: id });
    return { status: 204 };
  });

  router.post("/admin/users/:id/revoke-sessions", async (request) => {
    requireAdmin(request);
    const { id } = parseBody(UserIdParams, request.params);
    if (!(await findUserById(ctx.db, id))) throw new AppError("not_found", "no user with this id");
    const revoked = await ctx.sessions.revokeAllForUser(id);
    request.log.info({ event: "admin_sessions_revoked", userId: id, revoked });
    return { status: 200, body: { revoked } };
  });
}

/** The checks that relate fields to each other, named like parseBody's messages. */
function checkFixtureSpec(spec: FixtureSpec): FixtureSpec {
  let memberships = 0;
  for (const [groupIndex, group] of spec.groups.entries()) {
    memberships += group.members.length;
    const outside = group.members.findIndex((member) => member >= spec.users);
    if (outside !== -1) {
      throw new AppError(
        "invalid_request",
        `groups.${groupIndex}.members.${outside}: expected a user index from 0 to ${spec.users - 1}, got ${group.members[outside]}`,
      );
    }
  }
  if (memberships > MAX_FIXTURE_MEMBERSHIPS) {
    throw new AppError(
      "invalid_request",
      `groups: expected at most ${MAX_FIXTURE_MEMBERSHIPS} members in all, got ${memberships}`,
    );
  }
  if (spec.befriend === "all" && spec.users > MAX_BEFRIEND_ALL_USERS) {
    throw new AppError(
      "invalid_request",
      `befriend: "all" makes a friendship per pair of users and is limited to ${MAX_BEFRIEND_ALL_USERS} users, got ${spec.users}`,
    );
  }
  if (spec.befriend === "group") {
    // Counting distinct pairs costs a set of them: do it only when the plain sum is over the cap.
    const atMost = spec.groups.reduce(
      (sum, { members: { length } }) => sum + (length * (length - 1)) / 2,
      0,
    );
    const pairs = atMost > MAX_FIXTURE_FRIENDSHIPS ? friendPairs(spec).length : atMost;
    if (pairs > MAX_FIXTURE_FRIENDSHIPS) {
      throw new AppError(
        "invalid_request",
        `groups: the groups make ${pairs} friendships, more than the ${MAX_FIXTURE_FRIENDSHIPS} allowed per call`,
      );
    }
  }
  return spec;
}
