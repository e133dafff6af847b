import type { FriendStatus, PresenceMode } from "@clofri/protocol";

/**
 * A person's status on one gateway, as shared with the others in cluster mode: `hidden` is
 * "appear offline" (online, shown to friends as offline).
 */
export type LocalStatus = "active" | "idle" | "busy" | "hidden";

const RANK: Record<LocalStatus, number> = { idle: 0, active: 1, busy: 2, hidden: 3 };

/** Several gateways' statuses of one person as one: the mode wins, then active over idle. */
export function mergeStatus(a: LocalStatus | undefined, b: LocalStatus): LocalStatus {
  return a === undefined || RANK[b] > RANK[a] ? b : a;
}

export interface StatusChange {
  userId: string;
  before: FriendStatus;
  after: FriendStatus;
  /** For `after: "offline"`: what friends are shown as the last-seen time. */
  lastSeenMs: number;
}

export interface PersonStatusDeps {
  /** Online on this gateway (a socket, or a dropped socket's grace). */
  isOnlineHere(userId: string): boolean;
  /** The person's sockets here past their hello. */
  socketsHere(userId: string): ReadonlyArray<{ isIdle: boolean }>;
  /** The person's mode, while this gateway holds their state. */
  modeOf(userId: string): PresenceMode | undefined;
  now(): number;
  /** Cluster mode: the status merged across gateways (undefined: offline everywhere). */
  merged?: ((userId: string) => LocalStatus | undefined) | undefined;
  onChange(change: StatusChange): void;
}

/**
 * What friends see of each person: active, idle, busy or offline, from their sockets' idleness
 * and their presence mode. Keeps what friends were last told, so each change is told once, and
 * when an "appear offline" began (the last-seen time friends are shown instead of now).
 */
export class PersonStatus {
  readonly #deps: PersonStatusDeps;
  /** The status friends were last told, for people they see online. */
  readonly #told = new Map<string, FriendStatus>();
  /** People who appear offline; the time they switched, when it happened on this gateway. */
  readonly #hidden = new Map<string, number | undefined>();
  /** The last local status, kept while a person in their grace has no socket here. */
  readonly #lastLocal = new Map<string, LocalStatus>();

  constructor(deps: PersonStatusDeps) {
    this.#deps = deps;
  }

  /** The person's status on this gateway alone; undefined when they are not online here. */
  local(userId: string): LocalStatus | undefined {
    const deps = this.#deps;
    if (!deps.isOnlineHere(userId)) {
      this.#lastLocal.delete(userId);
      return undefined;
    }
    const known = this.#lastLocal.get(userId);
    const mode = deps.modeOf(userId);
    let status: LocalStatus;
    if (mode === "offline") status = "hidden";
    else if (mode === "busy") status = "busy";
    else {
      const sockets = deps.socketsHere(userId);
      if (sockets.length === 0) status = known ?? "active";
      else status = sockets.every((conn) => conn.isIdle) ? "idle" : "active";
    }
    this.#lastLocal.set(userId, status);
    return status;
  }

  /** What friends see now. */
  statusOf(userId: string): FriendStatus {
    return this.#told.get(userId) ?? "offline";
  }

  /** Appears offline (online or not): not shown in any group's home presence. */
  isHidden(userId: string): boolean {
    return this.#hidden.has(userId);
  }

  /** For someone who appears offline: the time they switched, if this gateway saw it. */
  hiddenSince(userId: string): number | undefined {
    return this.#hidden.get(userId);
  }

  /** Something about the person changed (sockets, idleness, mode, presence): tell friends. */
  refresh(userId: string, lastSeenMs = this.#deps.now()): void {
    const { merged } = this.#deps;
    const current = merged === undefined ? this.local(userId) : merged(userId);
    const before = this.statusOf(userId);
    const after: FriendStatus = current === undefined || current === "hidden" ? "offline" : current;
    if (current === "hidden") {
      // Switched while friends saw them: that moment is their last-seen time from now on.
      if (!this.#hidden.has(userId) || before !== "offline") {
        this.#hidden.set(userId, before === "offline" ? undefined : lastSeenMs);
      }
    } else if (current !== undefined) this.#hidden.delete(userId);
    if (after === "offline") this.#told.delete(userId);
    else this.#told.set(userId, after);
    if (before === after) return;
    this.#deps.onChange({
      userId,
      before,
      after,
      lastSeenMs: this.#hidden.get(userId) ?? lastSeenMs,
    });
  }
}
