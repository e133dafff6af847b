import type { PresenceMode } from "@clofri/protocol";
import { useState } from "preact/hooks";
import { api, problem } from "../api.ts";
import { app, update } from "../state/store.ts";

const MODES: Array<{ mode: PresenceMode; label: string }> = [
  { mode: "auto", label: "Around" },
  { mode: "busy", label: "Busy" },
  { mode: "offline", label: "Appear offline" },
];

/** How I appear to friends: a select in the header, and on the profile with an explanation. */
export function PresenceSwitch({ id, compact = false }: { id: string; compact?: boolean }) {
  const mode = app.value.me?.presenceMode ?? "auto";
  const [error, setError] = useState<string | null>(null);
  const choose = async (next: PresenceMode) => {
    setError(null);
    const before = mode;
    setMode(next);
    try {
      await api("PATCH", "/api/me", { presenceMode: next });
    } catch (failure) {
      setMode(before);
      setError(problem(failure));
    }
  };
  return (
    <span class={compact ? "presence-switch compact" : "presence-switch"}>
      <label for={id} class={compact ? "visually-hidden" : undefined}>
        How friends see you
      </label>
      <select
        id={id}
        class={`mode-${mode}`}
        value={mode}
        onChange={(e) => void choose(e.currentTarget.value as PresenceMode)}
      >
        {MODES.map((m) => (
          <option key={m.mode} value={m.mode}>
            {m.label}
          </option>
        ))}
      </select>
      {error && (
        <span class="note-error" role="alert">
          {error}
        </span>
      )}
    </span>
  );
}

function setMode(presenceMode: PresenceMode): void {
  update((s) => (s.me ? { ...s, me: { ...s.me, presenceMode } } : s));
}
