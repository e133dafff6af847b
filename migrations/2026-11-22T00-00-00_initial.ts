import { type Kysely, sql } from "kysely";

// The social graph of SPEC §3. Messages are never stored. Frozen once landed: change the schema in
// a new migration.

// biome-ignore lint/suspicious/noExplicitAny: a migration must not depend on the types of its time
export async function up(db: Kysely<any>): Promise<void> {
  // Created in `public` so that every schema on the search path shares one copy: a test schema
  // that installed its own copy would take the type with it when it is dropped.
  await sql`create extension if not exists citext with schema public`.execute(db);

  await db.schema
    .createTable("users")
    .addColumn("id", "uuid", (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("email", sql`citext`, (col) => col.notNull())
    .addColumn("display_name", "text", (col) => col.notNull())
    .addColumn("avatar_url", "text")
    .addColumn("friend_code", "text", (col) => col.notNull())
    .addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn("last_seen_at", "timestamptz")
    .addUniqueConstraint("users_email_unique", ["email"])
    .addUniqueConstraint("users_friend_code_unique", ["friend_code"])
    .execute();

  await db.schema
    .createTable("oauth_accounts")
    .addColumn("provider", "text", (col) => col.notNull())
    .addColumn("provider_user_id", "text", (col) => col.notNull())
    .addColumn("user_id", "uuid", (col) => col.notNull().references("users.id").onDelete("cascade"))
    .addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("oauth_accounts_pkey", ["provider", "provider_user_id"])
    .execute();
  await db.schema
    .createIndex("oauth_accounts_user_id_idx")
    .on("oauth_accounts")
    .column("user_id")
    .execute();

  await db.schema
    .createTable("sessions")
    .addColumn("id", "text", (col) => col.primaryKey())
    .addColumn("user_id", "uuid", (col) => col.notNull().references("users.id").onDelete("cascade"))
    .addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn("expires_at", "timestamptz", (col) => col.notNull())
    .addColumn("user_agent", "text")
    .execute();
  await db.schema.createIndex("sessions_user_id_idx").on("sessions").column("user_id").execute();
  await db.schema
    .createIndex("sessions_expires_at_idx")
    .on("sessions")
    .column("expires_at")
    .execute();

  await db.schema
    .createTable("magic_links")
    .addColumn("token_hash", "text", (col) => col.primaryKey())
    .addColumn("email", sql`citext`, (col) => col.notNull())
    .addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn("expires_at", "timestamptz", (col) => col.notNull())
    .addColumn("used_at", "timestamptz")
    .execute();
  await db.schema
    .createIndex("magic_links_expires_at_idx")
    .on("magic_links")
    .column("expires_at")
    .execute();
  // Counting recent links per address is how magic-link requests are rate limited.
  await db.schema
    .createIndex("magic_links_email_created_at_idx")
    .on("magic_links")
    .columns(["email", "created_at"])
    .execute();

  await db.schema
    .createTable("friendships")
    .addColumn("id", "uuid", (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("requester_id", "uuid", (col) =>
      col.notNull().references("users.id").onDelete("cascade"),
    )
    .addColumn("addressee_id", "uuid", (col) =>
      col.notNull().references("users.id").onDelete("cascade"),
    )
    .addColumn("status", "text", (col) => col.notNull().defaultTo("pending"))
    .addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addCheckConstraint("friendships_status_check", sql`status in ('pending', 'accepted')`)
    .addCheckConstraint("friendships_not_self_check", sql`requester_id <> addressee_id`)
    .execute();
  // One row per unordered pair: a request from B to A conflicts with A's request to B.
  await db.schema
    .createIndex("friendships_pair_unique")
    .on("friendships")
    .unique()
    .expression(sql`least(requester_id, addressee_id), greatest(requester_id, addressee_id)`)
    .execute();
  await db.schema
    .createIndex("friendships_requester_status_idx")
    .on("friendships")
    .columns(["requester_id", "status"])
    .execute();
  await db.schema
    .createIndex("friendships_addressee_status_idx")
    .on("friendships")
    .columns(["addressee_id", "status"])
    .execute();

  // A group dies with its creator, who alone can manage it. A direct chat names its two people as
  // an ordered pair, which makes it unique per pair and lets it die with either of them.
  await db.schema
    .createTable("groups")
    .addColumn("id", "uuid", (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("name", "text", (col) => col.notNull())
    .addColumn("kind", "text", (col) => col.notNull().defaultTo("group"))
    .addColumn("creator_id", "uuid", (col) =>
      col.notNull().references("users.id").onDelete("cascade"),
    )
    .addColumn("direct_low_id", "uuid", (col) => col.references("users.id").onDelete("cascade"))
    .addColumn("direct_high_id", "uuid", (col) => col.references("users.id").onDelete("cascade"))
    .addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addCheckConstraint("groups_kind_check", sql`kind in ('group', 'direct')`)
    .addCheckConstraint(
      "groups_direct_pair_check",
      sql`(kind = 'group' and direct_low_id is null and direct_high_id is null)
        or (kind = 'direct' and direct_low_id is not null and direct_high_id is not null
          and direct_low_id < direct_high_id)`,
    )
    .addUniqueConstraint("groups_direct_pair_unique", ["direct_low_id", "direct_high_id"])
    .execute();
  await db.schema.createIndex("groups_creator_id_idx").on("groups").column("creator_id").execute();
  await db.schema
    .createIndex("groups_direct_high_id_idx")
    .on("groups")
    .column("direct_high_id")
    .execute();

  await db.schema
    .createTable("group_members")
    .addColumn("group_id", "uuid", (col) =>
      col.notNull().references("groups.id").onDelete("cascade"),
    )
    .addColumn("user_id", "uuid", (col) => col.notNull().references("users.id").onDelete("cascade"))
    .addColumn("role", "text", (col) => col.notNull().defaultTo("member"))
    .addColumn("muted", "boolean", (col) => col.notNull().defaultTo(false))
    .addColumn("joined_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("group_members_pkey", ["group_id", "user_id"])
    .addCheckConstraint("group_members_role_check", sql`role in ('creator', 'member')`)
    .execute();
  await db.schema
    .createIndex("group_members_user_id_idx")
    .on("group_members")
    .column("user_id")
    .execute();
  await db.schema
    .createIndex("group_members_one_creator_unique")
    .on("group_members")
    .unique()
    .column("group_id")
    .where(sql.ref("role"), "=", "creator")
    .execute();

  await db.schema
    .createTable("group_invites")
    .addColumn("code", "text", (col) => col.primaryKey())
    .addColumn("group_id", "uuid", (col) =>
      col.notNull().references("groups.id").onDelete("cascade"),
    )
    .addColumn("inviter_id", "uuid", (col) =>
      col.notNull().references("users.id").onDelete("cascade"),
    )
    .addColumn("expires_at", "timestamptz", (col) => col.notNull())
    .addColumn("max_uses", "integer", (col) => col.notNull().defaultTo(1))
    .addColumn("uses", "integer", (col) => col.notNull().defaultTo(0))
    .addColumn("revoked_at", "timestamptz")
    .addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addCheckConstraint("group_invites_code_length_check", sql`char_length(code) >= 10`)
    .addCheckConstraint("group_invites_max_uses_check", sql`max_uses >= 1`)
    .addCheckConstraint("group_invites_uses_check", sql`uses >= 0 and uses <= max_uses`)
    .execute();
  await db.schema
    .createIndex("group_invites_group_id_idx")
    .on("group_invites")
    .columns(["group_id", "expires_at"])
    .execute();
  await db.schema
    .createIndex("group_invites_inviter_id_idx")
    .on("group_invites")
    .column("inviter_id")
    .execute();

  // Audit rows outlive the people and groups they mention: references become null, not gone.
  await db.schema
    .createTable("audit_logs")
    .addColumn("id", "bigint", (col) => col.generatedAlwaysAsIdentity().primaryKey())
    .addColumn("action", "text", (col) => col.notNull())
    .addColumn("actor_id", "uuid", (col) => col.references("users.id").onDelete("set null"))
    .addColumn("group_id", "uuid", (col) => col.references("groups.id").onDelete("set null"))
    .addColumn("target_user_id", "uuid", (col) => col.references("users.id").onDelete("set null"))
    .addColumn("meta", "jsonb", (col) => col.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn("ts", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex("audit_logs_group_id_ts_idx")
    .on("audit_logs")
    .columns(["group_id", "ts"])
    .execute();
  // Without these, deleting a user scans the whole log to null out their references.
  await db.schema
    .createIndex("audit_logs_actor_id_idx")
    .on("audit_logs")
    .column("actor_id")
    .execute();
  await db.schema
    .createIndex("audit_logs_target_user_id_idx")
    .on("audit_logs")
    .column("target_user_id")
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: as for up
export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    "audit_logs",
    "group_invites",
    "group_members",
    "groups",
    "friendships",
    "magic_links",
    "sessions",
    "oauth_accounts",
    "users",
  ]) {
    await db.schema.dropTable(table).execute();
  }
  // citext stays: an extension belongs to the whole database, and other schemas may use it.
}
