// Pure wording helpers: what the UI says about typing, last seen and time.

/** "Alex is typing…", "Alex and Sam are typing…", "Alex, Sam and Kim are typing…", "Several people are typing…". */
export function typingLine(names: readonly string[]): string {
  const [first, second, third] = names;
  if (first === undefined) return "";
  if (second === undefined) return `${first} is typing…`;
  if (third === undefined) return `${first} and ${second} are typing…`;
  if (names.length === 3) return `${first}, ${second} and ${third} are typing…`;
  return "Several people are typing…";
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

/** "Alex", "Alex and Sam", "Alex, Sam and 2 others". */
export function peopleList(names: readonly string[]): string {
  const [first, second, third] = names;
  if (first === undefined) return "nobody";
  if (second === undefined) return first;
  if (third === undefined) return `${first} and ${second}`;
  if (names.length === 3) return `${first}, ${second} and ${third}`;
  return `${first}, ${second} and ${names.length - 2} others`;
}

export function initials(displayName: string): string {
  const words = displayName.trim().split(/\s+/).filter(Boolean);
  const letters = words.length > 1 ? [words[0], words[words.length - 1]] : [displayName.trim()];
  return (
    letters
      .map((word) => (word ? Array.from(word)[0] : ""))
      .join("")
      .slice(0, 2)
      .toUpperCase() || "?"
  );
}
