import type { ComponentChildren } from "preact";

/** The text with each "@Name" of `names` marked; mine (`myName`) marked more strongly. */
export function MentionText(props: { text: string; names: readonly string[]; myName?: string }) {
  const { text, myName } = props;
  const names = props.names.filter((n) => n !== "").sort((a, b) => b.length - a.length);
  if (names.length === 0) return <>{text}</>;
  const parts: ComponentChildren[] = [];
  let at = 0;
  while (at < text.length) {
    let next = -1;
    let name = "";
    for (const candidate of names) {
      const found = text.indexOf(`@${candidate}`, at);
      if (found !== -1 && (next === -1 || found < next)) {
        next = found;
        name = candidate;
      }
    }
    if (next === -1) break;
    parts.push(text.slice(at, next));
    const cls = name === myName ? "mention mention-me" : "mention";
    parts.push(
      <mark key={next} class={cls}>
        @{name}
      </mark>,
    );
    at = next + name.length + 1;
  }
  parts.push(text.slice(at));
  return <>{parts}</>;
}
