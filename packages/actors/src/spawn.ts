import { Actor } from "./actor.ts";
import type { SpawnOptions } from "./actor-options.ts";
import type { ActorRef } from "./actor-ref.ts";
import type { Behaviour } from "./behaviour.ts";

/** Starts an unsupervised actor; `init` runs on the next microtask, messages queue meanwhile. */
export function spawn<Msg, State, Reply = never>(
  behaviour: Behaviour<Msg, State, Reply>,
  options: SpawnOptions = {},
): ActorRef<Msg, Reply> {
  return new Actor(() => behaviour, options);
}
