// What the composer is doing besides a new message: replying to one, or editing one of mine.
import type { Message } from "@clofri/protocol";
import { signal } from "@preact/signals";

export interface Draft {
  group: string;
  mode: "reply" | "edit";
  message: Message;
}

export const draft = signal<Draft | null>(null);

/** The last refusal of an unsend, edit or reaction, shown above the composer. */
export const actionNotice = signal<{ group: string; text: string } | null>(null);
