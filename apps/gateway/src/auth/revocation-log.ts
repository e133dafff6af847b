/**
 * The sessions and users whose sessions ended, remembered only while a lookup that started
 * before the end is still in flight: that lookup may have read the row just before it was
 * deleted, and must not hand back (or cache) a session that has ended since.
 */
export class RevocationLog {
  #seq = 0;
  readonly #endedSessions = new Map<string, number>();
  readonly #endedUsers = new Map<string, number>();
  /** Marks of the lookups in flight, with how many started at each. */
  readonly #inFlight = new Map<number, number>();

  /** A lookup starts; pass the mark to `isEndedSince` and `finish`. */
  begin(): number {
    const mark = this.#seq;
    this.#inFlight.set(mark, (this.#inFlight.get(mark) ?? 0) + 1);
    return mark;
  }

  finish(mark: number): void {
    const left = (this.#inFlight.get(mark) ?? 1) - 1;
    if (left > 0) this.#inFlight.set(mark, left);
    else this.#inFlight.delete(mark);
    this.#prune();
  }

  sessionEnded(sessionId: string): void {
    if (this.#inFlight.size > 0) this.#endedSessions.set(sessionId, ++this.#seq);
  }

  userEnded(userId: string): void {
    if (this.#inFlight.size > 0) this.#endedUsers.set(userId, ++this.#seq);
  }

  /** Whether the session, or every session of its user, ended after the lookup began. */
  isEndedSince(mark: number, sessionId: string, userId: string): boolean {
    return (
      (this.#endedSessions.get(sessionId) ?? 0) > mark || (this.#endedUsers.get(userId) ?? 0) > mark
    );
  }

  /** Entries no lookup in flight can be concerned by. */
  get size(): number {
    return this.#endedSessions.size + this.#endedUsers.size;
  }

  #prune(): void {
    if (this.size === 0) return;
    const oldestMark = this.#inFlight.size === 0 ? this.#seq : Math.min(...this.#inFlight.keys());
    for (const map of [this.#endedSessions, this.#endedUsers]) {
      for (const [key, seq] of map) if (seq <= oldestMark) map.delete(key);
    }
  }
}
