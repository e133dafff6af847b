import { signal } from "@preact/signals";
import { INITIAL_CONNECTION } from "./reconnect.ts";

/** The connection's state for the header's "reconnecting…". */
export const connection = signal(INITIAL_CONNECTION);
