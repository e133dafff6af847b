import { useState } from "preact/hooks";

const SAID_FOR_MS = 2_000;

export function CopyButton({ text, label }: { text: string; label: string }) {
  const [copied, setCopied] = useState<"no" | "yes" | "failed">("no");
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied("yes");
    } catch {
      setCopied("failed"); // clipboard refused (insecure origin or permission): say so
    }
    setTimeout(() => setCopied("no"), SAID_FOR_MS);
  };
  return (
    <button type="button" class="secondary" onClick={copy} aria-label={label}>
      {copied === "yes" ? "Copied" : copied === "failed" ? "Select and copy" : "Copy"}
    </button>
  );
}
