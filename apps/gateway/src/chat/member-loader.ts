/**
 * The member ids of groups whose room is about to start, read once per start: concurrent joins
 * that start a room wait for the same read, so they reach the room in the order they came.
 * A failed read leaves the room to learn its members as they join.
 */
export class MemberLoader {
  readonly #load: ((groupId: string) => Promise<readonly string[]>) | undefined;
  readonly #loading = new Map<string, Promise<void>>();
  readonly #loaded = new Map<string, readonly string[]>();

  constructor(load: ((groupId: string) => Promise<readonly string[]>) | undefined) {
    this.#load = load;
  }

  /** Undefined when there is nothing to wait for. */
  ready(groupId: string): Promise<void> | undefined {
    const load = this.#load;
    if (load === undefined) return undefined;
    let loading = this.#loading.get(groupId);
    if (loading === undefined) {
      loading = load(groupId).then(
        (ids) => {
          this.#loaded.set(groupId, ids);
        },
        () => {},
      );
      this.#loading.set(groupId, loading);
      void loading.then(() => this.#loading.delete(groupId));
    }
    return loading;
  }

  /** What was read for the group, handed to the room starting now (and forgotten here). */
  take(groupId: string): readonly string[] {
    const ids = this.#loaded.get(groupId) ?? [];
    this.#loaded.delete(groupId);
    return ids;
  }
}
