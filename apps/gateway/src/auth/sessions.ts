import type { Kysely } from "kysely";
import type { Database } from "../db/tables.ts";
import { hashToken, newToken, SESSION_MAX_AGE_MS } from "../tokens.ts";
import { RevocationLog } from "./revocation-log.ts";

/** Sliding expiry is written at most this often per session, not on every request. */
const SLIDE_EVERY_MS = 24 * 60 * 60 * 1000;
const DEFAULT_CACHE_TTL_MS = 30_000;
const DEFAULT_CACHE_MAX_ENTRIES = 100_000;

export interface ValidSession {
  /** The SHA-256 of the token, as stored. */
  sessionId: string;
  userId: string;
  expiresAtMs: number;
}

export interface NewSession {
  token: string;
  session: ValidSession;
}

/** `sessionIds` names the sessions that ended; without it, every session of the user ended. */
export interface SessionsEnded {
  userId: string;
  sessionIds?: readonly string[];
}

export type SessionsEndedListener = (event: SessionsEnded) => void;

interface CacheEntry {
  session: ValidSession;
  cachedAtMs: number;
}

interface SessionRow {
  id: string;
  user_id: string;
  expires_at: Date;
}

interface PendingLookup {
  promise: Promise<SessionRow | undefined>;
  resolve(row: SessionRow | undefined): void;
  reject(error: unknown): void;
}

/** Session tokens are 256-bit random values in base64url: anything far off names no session. */
const MAX_TOKEN_LENGTH = 128;

export function isTokenShaped(token: string): boolean {
  return token.length > 0 && token.length <= MAX_TOKEN_LENGTH;
}

/** Sessions looked up by one statement at most; a bigger burst is split. */
const MAX_LOOKUP_BATCH = 500;

/**
 * Sessions in the database, validated through a short-lived in-memory cache so that a WebSocket
 * upgrade or an API call does not cost a query each time. Revocation evicts at once and tells
 * listeners (the WebSocket layer closes those sockets).
 */
export class Sessions {
  readonly #db: Kysely<Database>;
  readonly #now: () => number;
  readonly #cacheTtlMs: number;
  readonly #cacheMaxEntries: number;
  readonly #cache = new Map<string, CacheEntry>();
  readonly #listeners = new Set<SessionsEndedListener>();
  readonly #revocations = new RevocationLog();
  /** Sessions asked for since the last flush: looked up together on the next turn of the loop. */
  #pending = new Map<string, PendingLookup>();

  constructor(
    db: Kysely<Database>,
    options: { now?: () => number; cacheTtlMs?: number; cacheMaxEntries?: number } = {},
  ) {
    this.#db = db;
    this.#now = options.now ?? Date.now;
    this.#cacheTtlMs = options.cacheTtlMs ?? DEFAULT_CACHE_TTL_MS;
    this.#cacheMaxEntries = options.cacheMaxEntries ?? DEFAULT_CACHE_MAX_ENTRIES;
  }

  /** A new session with a new id at every sign-in. */
  async create(userId: string, userAgent: string | undefined): Promise<NewSession> {
    const token = newToken();
    const nowMs = this.#now();
    const session: ValidSession = {
      sessionId: hashToken(token),
      userId,
      expiresAtMs: nowMs + SESSION_MAX_AGE_MS,
    };
    await this.#db
      .insertInto("sessions")
      .values({
        id: session.sessionId,
        user_id: userId,
        created_at: new Date(nowMs),
        expires_at: new Date(session.expiresAtMs),
        user_agent: userAgent?.slice(0, 256) ?? null,
      })
      .execute();
    this.#remember(session, nowMs);
    return { token, session };
  }

  /**
   * The live session a token names, or undefined. Rejects when the database is needed and does not
   * answer: callers report the database unavailable, not the caller signed out.
   */
  validate(
    token: string,
    options: { onRenewed?: (session: ValidSession) => void } = {},
  ): Promise<ValidSession | undefined> {
    if (!isTokenShaped(token)) return Promise.resolve(undefined);
    return this.validateId(hashToken(token), options);
  }

  /**
   * `validate` for a session id (the token's hash). A session that ends while it is being looked
   * up is never returned nor cached, however the lookup and the revocation interleave.
   */
  async validateId(
    sessionId: string,
    options: { onRenewed?: (session: ValidSession) => void } = {},
  ): Promise<ValidSession | undefined> {
    const nowMs = this.#now();
    const cached = this.#cache.get(sessionId);
    if (
      cached &&
      nowMs - cached.cachedAtMs < this.#cacheTtlMs &&
      cached.session.expiresAtMs > nowMs
    ) {
      return cached.session;
    }
    this.#cache.delete(sessionId);
    const mark = this.#revocations.begin();
    try {
      const row = await this.#lookUp(sessionId);
      if (!row || row.expires_at.getTime() <= nowMs) return undefined;
      if (this.#revocations.isEndedSince(mark, sessionId, row.user_id)) return undefined;
      let expiresAtMs = row.expires_at.getTime();
      if (nowMs + SESSION_MAX_AGE_MS - expiresAtMs >= SLIDE_EVERY_MS) {
        expiresAtMs = nowMs + SESSION_MAX_AGE_MS;
        await this.#db
          .updateTable("sessions")
          .set({ expires_at: new Date(expiresAtMs) })
          .where("id", "=", sessionId)
          .execute();
        if (this.#revocations.isEndedSince(mark, sessionId, row.user_id)) return undefined;
      }
      const session = { sessionId, userId: row.user_id, expiresAtMs };
      this.#remember(session, nowMs);
      if (expiresAtMs !== row.expires_at.getTime()) options.onRenewed?.(session);
      return session;
    } finally {
      this.#revocations.finish(mark);
    }
  }

  /** Ends one session (logout). */
  async revoke(session: ValidSession): Promise<void> {
    await this.#db.deleteFrom("sessions").where("id", "=", session.sessionId).execute();
    this.#cache.delete(session.sessionId);
    this.#revocations.sessionEnded(session.sessionId);
    this.#emit({ userId: session.userId, sessionIds: [session.sessionId] });
  }

  /** Ends every session of a user (revocation by an operator). */
  async revokeAllForUser(userId: string): Promise<number> {
    const rows = await this.#db
      .deleteFrom("sessions")
      .where("user_id", "=", userId)
      .returning("id")
      .execute();
    this.forgetUser(userId);
    this.#emit({ userId });
    return rows.length;
  }

  /** Evicts a user's cached sessions, e.g. when the user was deleted and the rows cascaded away. */
  forgetUser(userId: string): void {
    this.#revocations.userEnded(userId);
    for (const [sessionId, entry] of this.#cache) {
      if (entry.session.userId === userId) this.#cache.delete(sessionId);
    }
  }

  /**
   * Sessions that ended on another gateway (cluster mode): forgotten here as if ended here; the
   * caller closes the sockets, so listeners are not told again.
   */
  forgetEnded(event: SessionsEnded): void {
    if (event.sessionIds === undefined) {
      this.forgetUser(event.userId);
      return;
    }
    for (const sessionId of event.sessionIds) {
      this.#cache.delete(sessionId);
      this.#revocations.sessionEnded(sessionId);
    }
  }

  /** Tells the listener about every ended session; returns the unsubscribe function. */
  onEnded(listener: SessionsEndedListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Announces that all of a user's sessions ended without going through revoke (user deleted). */
  announceUserGone(userId: string): void {
    this.forgetUser(userId);
    this.#emit({ userId });
  }

  /**
   * The live session row, from one statement shared by every lookup of the same tick: after a
   * restart thousands of sockets reconnect at once, and each would otherwise wait for its own.
   */
  #lookUp(sessionId: string): Promise<SessionRow | undefined> {
    const known = this.#pending.get(sessionId);
    if (known !== undefined) return known.promise;
    if (this.#pending.size === 0) setImmediate(() => this.#flushLookups());
    let resolve!: PendingLookup["resolve"];
    let reject!: PendingLookup["reject"];
    const promise = new Promise<SessionRow | undefined>((onResolve, onReject) => {
      resolve = onResolve;
      reject = onReject;
    });
    this.#pending.set(sessionId, { promise, resolve, reject });
    return promise;
  }

  #flushLookups(): void {
    const batch = [...this.#pending];
    this.#pending = new Map();
    const nowDate = new Date(this.#now());
    for (let start = 0; start < batch.length; start += MAX_LOOKUP_BATCH) {
      const chunk = batch.slice(start, start + MAX_LOOKUP_BATCH);
      this.#db
        .selectFrom("sessions")
        .select(["id", "user_id", "expires_at"])
        .where(
          "id",
          "in",
          chunk.map(([sessionId]) => sessionId),
        )
        .where("expires_at", ">", nowDate)
        .execute()
        .then(
          (rows) => {
            const found = new Map(rows.map((row) => [row.id, row]));
            for (const [sessionId, pending] of chunk) pending.resolve(found.get(sessionId));
          },
          (error: unknown) => {
            for (const [, pending] of chunk) pending.reject(error);
          },
        );
    }
  }

  #emit(event: SessionsEnded): void {
    for (const listener of this.#listeners) listener(event);
  }

  #remember(session: ValidSession, nowMs: number): void {
    if (this.#cache.size >= this.#cacheMaxEntries) {
      // Map iteration is insertion order: drop the oldest entry.
      const oldest = this.#cache.keys().next();
      if (!oldest.done) this.#cache.delete(oldest.value);
    }
    this.#cache.set(session.sessionId, { session, cachedAtMs: nowMs });
  }
}
