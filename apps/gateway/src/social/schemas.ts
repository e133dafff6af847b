import { normalizeName } from "@clofri/protocol";
import * as v from "valibot";

// Inputs of the social API: bodies and path parameters. Ids are checked before any query, so a
// malformed id is an `invalid_request` rather than a database error.

export const MAX_GROUP_MEMBERS = 50;
const MAX_INVITE_USES = 50;
const MAX_INVITE_LIFETIME_MS = 7 * 24 * 60 * 60 * 1000;
const DEFAULT_INVITE_LIFETIME_MS = 24 * 60 * 60 * 1000;
const MIN_INVITE_LIFETIME_MS = 60 * 1000;
export const INVITE_CODE_LENGTH = 12;

/** Lower case, as Postgres prints uuids: direct-chat pairs are ordered by comparing the strings. */
const Uuid = v.pipe(v.string("expected a uuid"), v.uuid("expected a uuid"), v.toLowerCase());

export const IdParam = v.object({ id: Uuid });
export const UserIdParam = v.object({ userId: Uuid });
export const FriendIdParam = v.object({ friendId: Uuid });
export const GroupMemberParams = v.object({ id: Uuid, userId: Uuid });

const InviteCode = v.pipe(
  v.string("expected an invite code"),
  v.regex(/^[0-9A-Za-z]{10,32}$/, "expected an invite code"),
  v.toUpperCase(),
);
export const InviteCodeParam = v.object({ code: InviteCode });
export const GroupInviteParams = v.object({ id: Uuid, code: InviteCode });

/**
 * A friend code as people type it: any case, with spaces or dashes, and Crockford's look-alikes
 * (O for 0, I or L for 1) read as the digits they stand for.
 */
const FriendCode = v.pipe(
  v.string("expected a friend code"),
  v.transform((code) =>
    code.replace(/[\s-]/g, "").toUpperCase().replace(/O/g, "0").replace(/[IL]/g, "1"),
  ),
  v.regex(/^[0-9A-Z]{4,32}$/, "expected a friend code"),
);

/**
 * A display name or group name under packages/protocol's `normalizeName`: bidi controls removed,
 * refused when empty, too long, holding control characters, or only invisible characters.
 */
export const Name = v.pipe(
  v.string("expected a string"),
  v.rawTransform(({ dataset, addIssue, NEVER }) => {
    const result = normalizeName(dataset.value);
    if (result.ok) return result.name;
    addIssue({ message: result.message });
    return NEVER;
  }),
);

const UserIds = (max: number) =>
  v.pipe(
    v.array(Uuid, "expected an array of user ids"),
    v.maxLength(max, `expected at most ${max} user ids`),
  );

export const CreateGroupBody = v.strictObject(
  { name: Name, memberIds: v.optional(UserIds(MAX_GROUP_MEMBERS), []) },
  "expected only name and memberIds",
);

export const RenameGroupBody = v.strictObject({ name: Name }, "expected only name");

export const AddMembersBody = v.strictObject(
  { userIds: v.pipe(UserIds(MAX_GROUP_MEMBERS), v.minLength(1, "expected at least one user id")) },
  "expected only userIds",
);

export const MuteBody = v.strictObject(
  { muted: v.boolean("expected true or false") },
  "expected only muted",
);

export const FriendRequestBody = v.strictObject({ code: FriendCode }, "expected only code");

export const CreateInviteBody = v.strictObject(
  {
    expiresInMs: v.optional(
      v.pipe(
        v.number("expected a number of milliseconds"),
        v.safeInteger("expected a whole number of milliseconds"),
        v.minValue(MIN_INVITE_LIFETIME_MS, "expected at least 60000 (one minute)"),
        v.maxValue(MAX_INVITE_LIFETIME_MS, "expected at most 604800000 (7 days)"),
      ),
      DEFAULT_INVITE_LIFETIME_MS,
    ),
    maxUses: v.optional(
      v.pipe(
        v.number("expected a number"),
        v.safeInteger("expected a whole number"),
        v.minValue(1, `expected 1 to ${MAX_INVITE_USES}`),
        v.maxValue(MAX_INVITE_USES, `expected 1 to ${MAX_INVITE_USES}`),
      ),
      1,
    ),
  },
  "expected only expiresInMs and maxUses",
);
