import type { ComponentChildren } from "preact";

export function ErrorNote({ children }: { children: ComponentChildren }) {
  if (!children) return null;
  return (
    <p class="note note-error" role="alert">
      {children}
    </p>
  );
}

export function InfoNote({ children }: { children: ComponentChildren }) {
  if (!children) return null;
  return (
    <p class="note" role="status">
      {children}
    </p>
  );
}
