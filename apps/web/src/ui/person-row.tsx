import type { ComponentChildren } from "preact";
import { Avatar, type Presence } from "./avatar.tsx";

/** One person in a list: picture, name, a word on their state, and buttons about them. */
export function PersonRow(props: {
  /** Their real name, for the initials. */
  name: string;
  /** What the list calls them, when not their name ("You"). */
  label?: string;
  avatarUrl: string | null;
  presence?: Presence;
  status?: string;
  children?: ComponentChildren;
}) {
  return (
    <li class="person">
      <Avatar name={props.name} url={props.avatarUrl} presence={props.presence} />
      <bdi class="name">{props.label ?? props.name}</bdi>
      {props.status !== undefined && <span class="status-word">{props.status}</span>}
      {props.children && <span class="actions">{props.children}</span>}
    </li>
  );
}
