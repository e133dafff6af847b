// Keeps the pending friend requests in step with the server. Live frames keep the lists current
// while the socket is open (`friend_request` adds one; `friend_request_removed` takes one off when
// its sender cancels it, or when I ignore it in another tab; `friend_added` when one is accepted:
// state/friend-frames.ts). What happened while it was not open is only in the server's lists, so
// they are loaded again at every (re)connection, every navigation and whenever the tab comes back
// into view.
import { computed, effect } from "@preact/signals";
import { ApiError, api } from "../api.ts";
import { location } from "../router.ts";
import { type RequestsAnswer, requestAnswered, requestsLoaded } from "../state/requests.ts";
import { app, update } from "../state/store.ts";
import { connection } from "./connection-signal.ts";

export class RequestsSync {
  #latest = 0;
  #listening = false;
  readonly #isOpen = computed(() => connection.value.phase === "open");

  /**
   * Loads the lists; the newest load wins, and one that a live change crossed is redone. It reads
   * the state with `peek()`: called from the effect in `listen`, a `.value` read would subscribe
   * that effect to every change of the state, and each load's answer would start the next load.
   */
  async refresh(): Promise<void> {
    const attempt = ++this.#latest;
    const revision = app.peek().requestsRevision;
    let answer: RequestsAnswer;
    try {
      answer = await api<RequestsAnswer>("GET", "/api/friends/requests");
    } catch (error) {
      // Offline or signed out: the next connection or navigation asks again.
      if (error instanceof ApiError) return;
      throw error;
    }
    if (attempt !== this.#latest) return;
    if (app.peek().requestsRevision !== revision) return this.refresh();
    update((state) => requestsLoaded(state, answer));
  }

  /** Accepts or ignores a request to me, or cancels mine; the lists follow at once. */
  async answer(id: string, action: "accept" | "ignore" | "cancel"): Promise<void> {
    const path = `/api/friends/requests/${encodeURIComponent(id)}`;
    if (action === "cancel") await api("DELETE", path);
    else await api("POST", `${path}/${action}`);
    update((state) => requestAnswered(state, id));
    void this.refresh();
  }

  listen(): void {
    if (this.#listening) return;
    this.#listening = true;
    effect(() => {
      const page = location.value.pathname;
      if (this.#isOpen.value && page) void this.refresh();
    });
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible" && this.#isOpen.peek()) void this.refresh();
    });
  }
}
