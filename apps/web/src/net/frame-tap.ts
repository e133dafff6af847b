// The debug view's recorder (`?debug=1`): the last frames both ways with their times, and a way
// to drop the socket. Off (one boolean test per frame) unless the page asked for it at start;
// the panel itself is a separate chunk, loaded only then.

export interface TappedFrame {
  direction: "in" | "out";
  atMs: number;
  text: string;
}

const KEPT_FRAMES = 200;

class FrameTap {
  isOn = false;
  readonly frames: TappedFrame[] = [];
  readonly #listeners = new Set<() => void>();
  /** Set by the socket: closes the current socket as a network loss would. */
  drop: () => void = () => {};

  record(direction: TappedFrame["direction"], text: string): void {
    if (!this.isOn) return;
    this.frames.push({ direction, atMs: Date.now(), text });
    if (this.frames.length > KEPT_FRAMES) this.frames.splice(0, this.frames.length - KEPT_FRAMES);
    for (const listener of this.#listeners) listener();
  }

  listen(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

export const frameTap = new FrameTap();
