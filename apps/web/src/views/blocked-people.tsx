import type { UserSummary } from "@clofri/protocol";
import { useState } from "preact/hooks";
import { api } from "../api.ts";
import { ErrorNote } from "../ui/notice.tsx";
import { PersonRow } from "../ui/person-row.tsx";
import { useAction } from "../ui/use-action.ts";
import { useLoad } from "../ui/use-load.ts";

/** The people I blocked, each with Unblock (no friendship comes back). */
export function BlockedPeople() {
  const [revision, setRevision] = useState(0);
  const blocks = useLoad(`blocks-${revision}`, () =>
    api<{ blocks: UserSummary[] }>("GET", "/api/blocks").then((reply) => reply.blocks),
  );
  const action = useAction();
  const unblock = (person: UserSummary) =>
    void action.run(async () => {
      await api("DELETE", `/api/blocks/${person.id}`);
      setRevision((n) => n + 1);
    });
  return (
    <section class="card" aria-labelledby="blocked-title">
      <h2 id="blocked-title">Blocked people</h2>
      {blocks.data === null ? (
        <p role="status">{blocks.error ?? "Loading…"}</p>
      ) : blocks.data.length === 0 ? (
        <p class="empty">Nobody. Block someone from their row on the Friends page.</p>
      ) : (
        <ul class="people">
          {blocks.data.map((person) => (
            <PersonRow key={person.id} name={person.displayName} avatarUrl={person.avatarUrl}>
              <button
                type="button"
                class="secondary"
                onClick={() => unblock(person)}
                aria-label={`Unblock ${person.displayName}`}
              >
                Unblock
              </button>
            </PersonRow>
          ))}
        </ul>
      )}
      <ErrorNote>{action.error}</ErrorNote>
    </section>
  );
}
