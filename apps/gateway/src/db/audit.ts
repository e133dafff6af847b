import type { Kysely } from "kysely";
import type { Database, JsonObject } from "./tables.ts";

/** What a group's audit log records: every moderation, membership and invite action. */
type AuditAction =
  | "group_created"
  | "group_renamed"
  | "group_deleted"
  | "member_added"
  | "member_kicked"
  | "member_muted"
  | "member_unmuted"
  | "member_left"
  | "creator_transferred"
  | "invite_created"
  | "invite_revoked"
  | "invite_used";

export interface AuditEntry {
  action: AuditAction;
  actorId: string | null;
  groupId: string;
  targetUserId?: string | null;
  meta?: JsonObject;
}

/**
 * Writes audit rows in the caller's transaction, so they exist exactly when the action does.
 * `groupId` is also kept in `meta`: the column becomes null when the group is deleted.
 */
export async function writeAudit(db: Kysely<Database>, entries: readonly AuditEntry[]) {
  if (entries.length === 0) return;
  await db
    .insertInto("audit_logs")
    .values(
      entries.map((entry) => ({
        action: entry.action,
        actor_id: entry.actorId,
        group_id: entry.groupId,
        target_user_id: entry.targetUserId ?? null,
        meta: { ...entry.meta, groupId: entry.groupId },
      })),
    )
    .execute();
}

export interface AuditRow {
  id: number;
  action: string;
  ts: Date;
  meta: JsonObject;
  actor_id: string | null;
  actor_name: string | null;
  actor_avatar_url: string | null;
  target_user_id: string | null;
  target_name: string | null;
  target_avatar_url: string | null;
}

/** A group's audit rows, newest first, with the names of the people they mention. */
export async function listAudit(
  db: Kysely<Database>,
  groupId: string,
  options: { beforeId?: number | undefined; limit: number },
): Promise<AuditRow[]> {
  let query = db
    .selectFrom("audit_logs")
    .leftJoin("users as actor", "actor.id", "audit_logs.actor_id")
    .leftJoin("users as target", "target.id", "audit_logs.target_user_id")
    .select([
      "audit_logs.id",
      "audit_logs.action",
      "audit_logs.ts",
      "audit_logs.meta",
      "audit_logs.actor_id",
      "actor.display_name as actor_name",
      "actor.avatar_url as actor_avatar_url",
      "audit_logs.target_user_id",
      "target.display_name as target_name",
      "target.avatar_url as target_avatar_url",
    ])
    .where("audit_logs.group_id", "=", groupId);
  if (options.beforeId !== undefined) query = query.where("audit_logs.id", "<", options.beforeId);
  return query.orderBy("audit_logs.id", "desc").limit(options.limit).execute();
}
