// The group's members by name, for @-mention autocomplete and "Seen by everyone": loaded when a
// group is opened (group_state lists only who is in the room).
import { signal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { api } from "../api.ts";

export interface RosterMember {
  id: string;
  displayName: string;
}

export const rosters = signal<Record<string, RosterMember[]>>({});

export function useRoster(group: string): RosterMember[] {
  useEffect(() => {
    let current = true;
    api<{ group: { members: RosterMember[] } }>("GET", `/api/groups/${group}`).then(
      ({ group: details }) => {
        if (!current) return;
        const members = details.members.map(({ id, displayName }) => ({ id, displayName }));
        rosters.value = { ...rosters.value, [group]: members };
      },
      () => {},
    );
    return () => {
      current = false;
    };
  }, [group]);
  return rosters.value[group] ?? [];
}

/** The members whose "@Name" the text carries, longest names first so "@Sam Lee" beats "@Sam". */
export function mentionsIn(text: string, members: readonly RosterMember[], me?: string): string[] {
  const found: string[] = [];
  let rest = text;
  const byLength = [...members].sort((a, b) => b.displayName.length - a.displayName.length);
  for (const member of byLength) {
    const tag = `@${member.displayName}`;
    if (member.id !== me && rest.includes(tag)) {
      found.push(member.id);
      rest = rest.split(tag).join(" ");
    }
  }
  return found;
}
