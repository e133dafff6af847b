import { excerpt, type Message, type Quote } from "@clofri/protocol";
import type { RingBuffer } from "./ring-buffer.ts";

/**
 * What message actions changed in a room's buffer: the messages unsent (each keeps its slot, with
 * nothing of what it said, until it would have faded, so its idempotency key still answers with
 * the first ack and a retry cannot bring it back), and which replies quote which message, so a
 * quote follows an edit and says `gone` once the message it quotes has left.
 */
export class MessageChanges {
  readonly #removed = new Set<string>();
  /** Ids of messages edited or reacted to, while retained. */
  readonly #touched = new Set<string>();
  /** id of a quoted message → the messages that quote it. */
  readonly #quotedBy = new Map<string, Message[]>();

  get hasRemoved(): boolean {
    return this.#removed.size > 0;
  }

  isRemoved(message: Message): boolean {
    return this.#removed.size > 0 && this.#removed.has(message.id);
  }

  /** The quote a reply to `quoted` carries (`quoted` undefined: it has faded or never was). */
  quote(id: string, quoted: Message | undefined): Quote | { id: string; gone: true } {
    if (quoted === undefined) return { id, gone: true };
    const { userId, displayName, text } = quoted;
    return { id: quoted.id, userId, displayName, excerpt: excerpt(text) };
  }

  /** A message entered the buffer: if it quotes one still there, remember the pair. */
  committed(message: Message): void {
    const quote = message.replyTo;
    if (quote === undefined || "gone" in quote) return;
    const replies = this.#quotedBy.get(quote.id);
    if (replies === undefined) this.#quotedBy.set(quote.id, [message]);
    else replies.push(message);
  }

  /** The message left the buffer (faded): replies to it say so, it is no longer a tombstone. */
  evicted(message: Message): void {
    this.#removed.delete(message.id);
    this.#touched.delete(message.id);
    this.#quoteGone(message.id);
  }

  /** Unsent: the message keeps its slot and key, and nothing of what it said. */
  remove(message: Message): void {
    this.#removed.add(message.id);
    this.#touched.delete(message.id);
    message.text = "";
    message.mentions = [];
    message.reactions = {};
    delete message.replyTo;
    this.#quoteGone(message.id);
  }

  /** Reacted to: a resume from after it must still show it. */
  touched(message: Message): void {
    this.#touched.add(message.id);
  }

  /** Edited: its quotes show the new text. */
  edited(message: Message): void {
    this.#touched.add(message.id);
    for (const reply of this.#quotedBy.get(message.id) ?? []) {
      reply.replyTo = this.quote(message.id, message);
    }
  }

  /** The messages of `messages` that were not unsent. */
  visible(messages: Message[]): Message[] {
    return this.#removed.size === 0 ? messages : messages.filter((m) => !this.#removed.has(m.id));
  }

  /**
   * For a resume from `afterSeq`: the messages at or before it that were edited or reacted to
   * (the client had an older copy) and those unsent; nothing when there are none.
   */
  upTo(buffer: RingBuffer<Message>, afterSeq: number): { updated?: Message[]; removed?: string[] } {
    if (this.#touched.size === 0 && this.#removed.size === 0) return {};
    const updated: Message[] = [];
    const removed: string[] = [];
    for (const message of buffer.toArray()) {
      if (message.seq > afterSeq) break;
      if (this.#removed.has(message.id)) removed.push(message.id);
      else if (this.#touched.has(message.id)) updated.push(message);
    }
    return { updated, removed };
  }

  /** For a room's snapshot (the messages themselves travel with the buffer). */
  toSnapshot(): { removed: string[]; touched: string[] } {
    return { removed: [...this.#removed], touched: [...this.#touched] };
  }

  restore(snapshot: { removed: readonly string[]; touched: readonly string[] }): void {
    for (const id of snapshot.removed) this.#removed.add(id);
    for (const id of snapshot.touched) this.#touched.add(id);
  }

  #quoteGone(id: string): void {
    const replies = this.#quotedBy.get(id);
    if (replies === undefined) return;
    this.#quotedBy.delete(id);
    for (const reply of replies) reply.replyTo = { id, gone: true };
  }
}
