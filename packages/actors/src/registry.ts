import type { ActorRef, StartResult } from "./actor-ref.ts";

export type RegisterResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly error: "already_registered" };

/**
 * Names → refs for one kind of actor. A name disappears when its actor exits for good;
 * a supervised restart keeps the same ref, so the name survives it.
 */
export class Registry<Msg, Reply = never> {
  readonly #refs = new Map<string, ActorRef<Msg, Reply>>();
  readonly #starting = new Set<string>();

  get size(): number {
    return this.#refs.size;
  }

  get(name: string): ActorRef<Msg, Reply> | undefined {
    return this.#refs.get(name);
  }

  names(): string[] {
    return [...this.#refs.keys()];
  }

  register(name: string, ref: ActorRef<Msg, Reply>): RegisterResult {
    if (this.#refs.has(name)) return { ok: false, error: "already_registered" };
    this.#refs.set(name, ref);
    ref.onExit(() => {
      if (this.#refs.get(name) === ref) this.#refs.delete(name);
    });
    return { ok: true };
  }

  /**
   * Returns the registered ref or registers what `start` returns. Registration is synchronous,
   * so every caller after the first gets the same ref; slow set-up belongs in the actor's
   * `init`, during which messages simply queue.
   */
  startOrGet<E extends string = never>(
    name: string,
    start: () => ActorRef<Msg, Reply> | StartResult<ActorRef<Msg, Reply>, E>,
  ): StartResult<ActorRef<Msg, Reply>, E> {
    const existing = this.#refs.get(name);
    if (existing !== undefined) return { ok: true, ref: existing };
    if (this.#starting.has(name)) {
      throw new Error(`startOrGet("${name}") was re-entered from its own start function`);
    }
    this.#starting.add(name);
    let started: ActorRef<Msg, Reply> | StartResult<ActorRef<Msg, Reply>, E>;
    try {
      started = start();
    } finally {
      this.#starting.delete(name);
    }
    const result = isStartResult(started) ? started : { ok: true as const, ref: started };
    if (result.ok) this.register(name, result.ref);
    return result;
  }
}

function isStartResult<Ref, E extends string>(
  value: Ref | StartResult<Ref, E>,
): value is StartResult<Ref, E> {
  return typeof value === "object" && value !== null && "ok" in value;
}
