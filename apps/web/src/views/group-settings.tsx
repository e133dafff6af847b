import { MAX_NAME_LENGTH } from "@clofri/protocol/text";
import { useState } from "preact/hooks";
import { api } from "../api.ts";
import { checkName } from "../state/names.ts";
import { app } from "../state/store.ts";
import { ErrorNote } from "../ui/notice.tsx";
import { useAction } from "../ui/use-action.ts";
import { useLoad } from "../ui/use-load.ts";
import { Invites } from "./group-invites.tsx";
import { type Act, AddMembers, type GroupDetails, Members } from "./group-members.tsx";
import { LeaveOrDelete } from "./leave-group.tsx";

export function GroupSettings({ id }: { id: string }) {
  const live = app.value.groups.find((g) => g.id === id);
  // Reload when the group changes live under us: renamed, handed over, I am muted or removed.
  const group = useLoad(
    `group-${id}-${live?.name}-${live?.role}-${live?.muted}-${live === undefined}`,
    () => api<{ group: GroupDetails }>("GET", `/api/groups/${id}`).then((answer) => answer.group),
  );
  const action = useAction();
  const act: Act = (work) =>
    action.run(async () => {
      await work();
      group.reload();
    });

  if (!group.data) {
    return (
      <div class="page">
        <p role="status">{group.error ?? "Loading…"}</p>
        <a href="/">Back to who's around</a>
      </div>
    );
  }
  const g = group.data;
  const isCreator = g.role === "creator" && g.kind === "group";
  return (
    <div class="page settings">
      <p>
        <a href={`/g/${id}`}>
          ← Back to <bdi>{g.name}</bdi>
        </a>
      </p>
      <h1>
        <bdi>{g.name}</bdi>: settings
      </h1>
      <ErrorNote>{action.error}</ErrorNote>
      {isCreator && <Rename group={g} act={act} />}
      {isCreator && <AddMembers group={g} act={act} />}
      {isCreator && <Invites id={id} />}
      <Members group={g} isCreator={isCreator} act={act} />
      {g.kind === "group" && (
        <LeaveOrDelete group={g} isCreator={isCreator} onError={action.setError} />
      )}
    </div>
  );
}

function Rename({ group, act }: { group: GroupDetails; act: Act }) {
  const [name, setName] = useState(group.name);
  const [problem, setProblem] = useState<string | null>(null);
  const rename = () => {
    const checked = checkName(name, "Group name");
    setProblem(checked.ok ? null : checked.problem);
    if (checked.ok) void act(() => api("PATCH", `/api/groups/${group.id}`, { name: checked.name }));
  };
  return (
    <section class="card" aria-labelledby="rename-title">
      <h2 id="rename-title">Name</h2>
      <form
        class="row"
        onSubmit={(e) => {
          e.preventDefault();
          rename();
        }}
      >
        <label for="rename" class="visually-hidden">
          Group name
        </label>
        <input
          id="rename"
          class="grow"
          required
          maxLength={MAX_NAME_LENGTH}
          value={name}
          onInput={(e) => setName(e.currentTarget.value)}
        />
        <button type="submit">Rename</button>
      </form>
      <ErrorNote>{problem}</ErrorNote>
    </section>
  );
}
