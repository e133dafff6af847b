import type { ComponentChildren } from "preact";

interface Friend {
  id: string;
  displayName: string;
}

/** Checkboxes to pick friends by id; `children` is the fieldset's legend. */
export function FriendChecklist({
  friends,
  chosen,
  onChange,
  children,
}: {
  friends: readonly Friend[];
  chosen: readonly string[];
  onChange: (update: (ids: string[]) => string[]) => void;
  children: ComponentChildren;
}) {
  return (
    <fieldset>
      {children}
      {friends.map((friend) => (
        <label key={friend.id} class="check">
          <input
            type="checkbox"
            checked={chosen.includes(friend.id)}
            onChange={(e) =>
              onChange((ids) =>
                e.currentTarget.checked
                  ? [...ids, friend.id]
                  : ids.filter((id) => id !== friend.id),
              )
            }
          />
          <bdi>{friend.displayName}</bdi>
        </label>
      ))}
    </fieldset>
  );
}
