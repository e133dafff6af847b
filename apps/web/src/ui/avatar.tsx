import { initials } from "../state/wording.ts";

export type Presence = "active" | "idle" | "busy" | "offline" | null;

interface AvatarProps {
  name: string;
  url?: string | null;
  presence?: Presence;
  size?: "small" | "large";
}

/** A picture (or initials) with an optional presence dot; the dot's meaning is in the label. */
export function Avatar({ name, url, presence = null, size = "small" }: AvatarProps) {
  return (
    <span class={`avatar avatar-${size}`} aria-hidden="true">
      {url ? <img src={url} alt="" referrerpolicy="no-referrer" /> : <span>{initials(name)}</span>}
      {presence && <span class={`dot dot-${presence}`} />}
    </span>
  );
}
