// The signals the views read. Every change goes through `update` with a pure reducer.
import { signal } from "@preact/signals";
import { type AppState, INITIAL_STATE } from "./app-state.ts";

export const app = signal<AppState>(INITIAL_STATE);

export function update(reducer: (state: AppState) => AppState): void {
  app.value = reducer(app.value);
}

/** A clock for fading messages and "seen 5 minutes ago"; ticks every 10 s. */
export const now = signal(Date.now());
const TICK_MS = 10_000;
let ticking = false;
export function startClock(): void {
  if (ticking) return;
  ticking = true;
  setInterval(() => {
    now.value = Date.now();
  }, TICK_MS);
}
