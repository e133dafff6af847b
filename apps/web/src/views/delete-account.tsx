import { useState } from "preact/hooks";
import { api } from "../api.ts";
import { goToSignIn } from "../session.ts";
import { ErrorNote } from "../ui/notice.tsx";
import { useAction } from "../ui/use-action.ts";

/** What the person types to confirm, as the API asks for it. */
const CONFIRMATION = "delete my account";

/** Leaving for good, after typing the sentence: every tab and device is signed out. */
export function DeleteAccount() {
  const [typed, setTyped] = useState("");
  const action = useAction();
  const isConfirmed = typed.trim().toLowerCase() === CONFIRMATION;
  const submit = (event: Event) => {
    event.preventDefault();
    if (!isConfirmed) return;
    void action.run(async () => {
      await api("DELETE", "/api/me", { confirm: CONFIRMATION });
      goToSignIn();
    });
  };
  return (
    <section class="card danger-zone" aria-labelledby="delete-title">
      <h2 id="delete-title">Delete your account</h2>
      <p>
        Your friends, requests and groups go; groups you created pass to the longest-standing
        member. This cannot be undone.
      </p>
      <form onSubmit={submit}>
        <label for="delete-confirm">
          Type <strong>{CONFIRMATION}</strong> to confirm
        </label>
        <input
          id="delete-confirm"
          autocomplete="off"
          spellcheck={false}
          value={typed}
          onInput={(e) => setTyped(e.currentTarget.value)}
        />
        <button type="submit" class="danger" disabled={!isConfirmed || action.isBusy}>
          Delete my account
        </button>
      </form>
      <ErrorNote>{action.error}</ErrorNote>
    </section>
  );
}
