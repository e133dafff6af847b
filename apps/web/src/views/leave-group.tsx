import { useState } from "preact/hooks";
import { api, problem } from "../api.ts";
import { navigate } from "../router.ts";

type Choice = "leave" | "delete";

/** Leaving (anyone) or deleting (the creator), each confirmed once more before it goes. */
export function LeaveOrDelete({
  group,
  isCreator,
  onError,
}: {
  group: { id: string; name: string };
  isCreator: boolean;
  onError: (e: string | null) => void;
}) {
  const [confirm, setConfirm] = useState<Choice | null>(null);
  const go = async (choice: Choice) => {
    try {
      await (choice === "delete"
        ? api("DELETE", `/api/groups/${group.id}`)
        : api("POST", `/api/groups/${group.id}/leave`));
      navigate("/", { replace: true });
    } catch (failure) {
      onError(problem(failure));
    }
  };
  return (
    <section class="card danger-zone" aria-labelledby="danger-title">
      <h2 id="danger-title">Leave or delete</h2>
      {confirm === null ? (
        <div class="row wrap">
          <button type="button" class="secondary" onClick={() => setConfirm("leave")}>
            Leave group
          </button>
          {isCreator && (
            <button type="button" class="danger" onClick={() => setConfirm("delete")}>
              Delete group
            </button>
          )}
        </div>
      ) : (
        <Confirm
          choice={confirm}
          name={group.name}
          isCreator={isCreator}
          onYes={() => go(confirm)}
          onCancel={() => setConfirm(null)}
        />
      )}
    </section>
  );
}

function Confirm(props: {
  choice: Choice;
  name: string;
  isCreator: boolean;
  onYes: () => void;
  onCancel: () => void;
}) {
  const isDelete = props.choice === "delete";
  return (
    <div role="alertdialog" aria-labelledby="confirm-text" class="confirm">
      <p id="confirm-text">
        {isDelete ? "Delete " : "Leave "}
        <bdi>{props.name}</bdi>
        {isDelete
          ? " for everyone? This can't be undone."
          : props.isCreator
            ? "? The longest-standing member takes over."
            : "? You'll need a new invite to come back."}
      </p>
      <div class="row">
        <button type="button" class="danger" onClick={props.onYes}>
          {isDelete ? "Yes, delete it" : "Yes, leave"}
        </button>
        <button type="button" class="secondary" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </div>
  );
}
