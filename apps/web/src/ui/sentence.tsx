import type { Phrase } from "../state/wording.ts";

/** A phrase with each name in its own <bdi>: isolated, in the direction of its own script. */
export function Sentence({ phrase }: { phrase: Phrase }) {
  return (
    <>
      {phrase.map((part, index) =>
        typeof part === "string" ? part : <bdi key={index}>{part.name}</bdi>,
      )}
    </>
  );
}
