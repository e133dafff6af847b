// Pure wording helpers: what the UI says about typing, last seen and time.

/**
 * A sentence with names in it. Views put each name in its own <bdi>, so a name written right to
 * left, or carrying direction controls, cannot reorder the words around it.
 */
export type Phrase = readonly (string | { name: string })[];

export const named = (name: string): { name: string } => ({ name });

/** The plain text of a phrase, for labels and tests. */
export function phraseText(phrase: Phrase): string {
  return phrase.map((part) => (typeof part === "string" ? part : part.name)).join("");
}

/** "Alex is typing…", "Alex and Sam are typing…", "Alex, Sam and Kim are typing…", "Several people are typing…". */
export function typingLine(names: readonly string[]): Phrase {
  const [first, second, third] = names;
  if (first === undefined) return [];
  if (second === undefined) return [named(first), " is typing…"];
  if (third === undefined) return [named(first), " and ", named(second), " are typing…"];
  if (names.length === 3) {
    return [named(first), ", ", named(second), " and ", named(third), " are typing…"];
  }
  return ["Several people are typing…"];
}

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/** Fuzzy "last seen" for a friend: online now, a few minutes ago, 3 hours ago, yesterday… */
export function fuzzyLastSeen(online: boolean, lastSeen: number | null, nowMs: number): string {
  if (online) return "online now";
  if (lastSeen === null) return "not seen yet";
  const agoMs = Math.max(0, nowMs - lastSeen);
  if (agoMs < 2 * MINUTE_MS) return "seen just now";
  if (agoMs < 15 * MINUTE_MS) return "seen a few minutes ago";
  if (agoMs < HOUR_MS) return `seen ${Math.round(agoMs / MINUTE_MS / 5) * 5} minutes ago`;
  if (agoMs < 2 * HOUR_MS) return "seen an hour ago";
  if (agoMs < DAY_MS) return `seen ${Math.floor(agoMs / HOUR_MS)} hours ago`;
  if (agoMs < 2 * DAY_MS) return "seen yesterday";
  if (agoMs < 7 * DAY_MS) return `seen ${Math.floor(agoMs / DAY_MS)} days ago`;
  if (agoMs < 14 * DAY_MS) return "seen last week";
  if (agoMs < 60 * DAY_MS) return `seen ${Math.floor(agoMs / (7 * DAY_MS))} weeks ago`;
  return "seen a long time ago";
}

/** "in 3 h", "in 12 min", "in 2 days": how long until a time in the future. */
export function timeUntil(targetMs: number, nowMs: number): string {
  const leftMs = targetMs - nowMs;
  if (leftMs <= 0) return "now";
  if (leftMs < HOUR_MS) return `in ${Math.max(1, Math.round(leftMs / MINUTE_MS))} min`;
  if (leftMs < 2 * DAY_MS) return `in ${Math.round(leftMs / HOUR_MS)} h`;
  return `in ${Math.round(leftMs / DAY_MS)} days`;
}

/** How long messages last, for the retention note: "24 h", or "30 min" under an hour. */
export function ageLimit(maxAgeMs: number): string {
  const hours = Math.round(maxAgeMs / HOUR_MS);
  return hours >= 1 ? `${hours} h` : `${Math.round(maxAgeMs / MINUTE_MS)} min`;
}

/** "Alex", "Alex and Sam", "Alex, Sam and 2 others". */
export function peopleList(names: readonly string[]): Phrase {
  const [first, second, third] = names;
  if (first === undefined) return ["nobody"];
  if (second === undefined) return [named(first)];
  if (third === undefined) return [named(first), " and ", named(second)];
  if (names.length === 3) return [named(first), ", ", named(second), " and ", named(third)];
  return [named(first), ", ", named(second), ` and ${names.length - 2} others`];
}

/** "Seen by Alex, Kim, Sam": every name, in alphabetical order, each for the views to isolate. */
export function seenByLine(names: readonly string[]): Phrase {
  const sorted = [...names].sort((a, b) => a.localeCompare(b));
  return [
    "Seen by ",
    ...sorted.flatMap((name, index) => (index === 0 ? [named(name)] : [", ", named(name)])),
  ];
}

/** "Nobody's here", "Sam is here", "You and Sam are here". */
export function presentLine(names: readonly string[]): Phrase {
  if (names.length === 0) return ["Nobody's here"];
  const isSingular = names.length === 1 && names[0] !== "You";
  return [...peopleList(names), isSingular ? " is here" : " are here"];
}

export function initials(displayName: string): string {
  // Format characters (direction controls, zero-width ones) are no letters to show.
  const visible = displayName.replace(/\p{Cf}/gu, "").trim();
  const words = visible.split(/\s+/).filter(Boolean);
  const letters = words.length > 1 ? [words[0], words[words.length - 1]] : [visible];
  return (
    letters
      .map((word) => (word ? Array.from(word)[0] : ""))
      .join("")
      .slice(0, 2)
      .toUpperCase() || "?"
  );
}
