import type { GroupSummary } from "@clofri/protocol";

/** Shared by every member who sees the group alike: replaced on a change, never mutated. */
export type GroupEntry = Readonly<Omit<GroupSummary, "present">>;

/** Per kind of shared value, per generation: well above the groups and names of 20,000 users. */
const INTERNED_VALUES = 65_536;
/** Entries kept per group id: member, creator, muted, a direct chat's two names, a rename or two. */
const GROUP_VARIANTS_KEPT = 8;

/**
 * Holds each value once however many users share it. Bounded: past `capacity` a new generation
 * starts and the old one serves lookups only, so unused values go within two generations.
 */
class Interner<T> {
  readonly #capacity: number;
  #current = new Map<string, T>();
  #previous = new Map<string, T>();

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  /** The value held for `key`, made by `make` if none is. */
  get(key: string, make: (key: string) => T): T {
    const known = this.#current.get(key);
    if (known !== undefined) return known;
    const kept = this.#previous.get(key) ?? make(key);
    if (this.#current.size >= this.#capacity) {
      this.#previous = this.#current;
      this.#current = new Map();
    }
    this.#current.set(key, kept);
    return kept;
  }
}

const itself = (text: string): string => text;

/** The strings (group ids and names, topic names) and group entries many users' states hold alike. */
export class SharedValues {
  readonly #strings = new Interner<string>(INTERNED_VALUES);
  /** By group id, the entries its members see: a handful (member, creator, muted, renamed). */
  readonly #groups = new Interner<GroupEntry[]>(INTERNED_VALUES);

  string(text: string): string {
    return this.#strings.get(text, itself);
  }

  /** Most members of a group see the same entry: its name, member role, not muted. */
  group(group: GroupEntry): GroupEntry {
    const { name, kind, role, muted } = group;
    const id = this.string(group.id);
    const seen = this.#groups.get(id, () => []);
    const known = seen.find(
      (entry) =>
        entry.name === name && entry.kind === kind && entry.role === role && entry.muted === muted,
    );
    if (known !== undefined) return known;
    const entry: GroupEntry = {
      id,
      name: this.string(name),
      // Literals, not the row's own copies of the same few words.
      kind: kind === "direct" ? "direct" : "group",
      role: role === "creator" ? "creator" : "member",
      muted,
    };
    // A group renamed again and again must not grow its list: the oldest variant stops being
    // handed out (states holding it keep it).
    if (seen.push(entry) > GROUP_VARIANTS_KEPT) seen.shift();
    return entry;
  }
}
