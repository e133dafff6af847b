import type { ComponentChildren } from "preact";
import { MentionText } from "./mention-text.tsx";

// http and https only: anything else ("javascript:", "data:") stays text. Closing punctuation at
// the end of a URL is most often the sentence's, not the link's.
const URL_PATTERN = /\bhttps?:\/\/[^\s<>"'`]+/gi;
const TRAILING = /[.,;:!?)\]}'"]+$/;

/** The text with http(s) URLs as links that open in a new tab, knowing nothing of the opener. */
export function LinkedText(props: { text: string; names: readonly string[]; myName?: string }) {
  const { text, names, myName } = props;
  const parts: ComponentChildren[] = [];
  let at = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    const url = match[0].replace(TRAILING, "");
    const href = safeHref(url);
    if (href === null) continue;
    const start = match.index ?? 0;
    parts.push(
      <MentionText key={`t${at}`} text={text.slice(at, start)} names={names} myName={myName} />,
    );
    parts.push(
      <a key={`a${start}`} href={href} target="_blank" rel="noopener noreferrer">
        {url}
      </a>,
    );
    at = start + url.length;
  }
  if (parts.length === 0) return <MentionText text={text} names={names} myName={myName} />;
  parts.push(<MentionText key={`t${at}`} text={text.slice(at)} names={names} myName={myName} />);
  return <>{parts}</>;
}

function safeHref(text: string): string | null {
  try {
    const url = new URL(text);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch {
    // Not a URL after all ("http://"): left as text.
    return null;
  }
}
