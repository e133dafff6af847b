// The debug view (`?debug=1`), for people who build clients against the protocol: the
// connection's state, the last 200 frames both ways with their times, each joined room's epoch
// and seq, and a button that drops the socket to watch the reconnect. A lazy chunk: the main
// bundle only holds the recorder (net/frame-tap.ts) and the import.
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { connection } from "../net/connection-signal.ts";
import { frameTap, type TappedFrame } from "../net/frame-tap.ts";
import { app } from "../state/store.ts";

export function mountDebugPanel(): void {
  const host = document.createElement("aside");
  host.className = "debug-panel";
  host.setAttribute("aria-label", "Debug view");
  document.body.append(host);
  render(<DebugPanel />, host);
}

function DebugPanel() {
  const [, setTick] = useState(0);
  const [isOpen, setOpen] = useState(true);
  useEffect(() => frameTap.listen(() => setTick((n) => n + 1)), []);
  const conn = connection.value;
  const rooms = Object.entries(app.value.rooms).filter(([, room]) => room.joined || room.wanted);
  return (
    <div>
      <div class="debug-head">
        <strong>Debug</strong>
        <span data-testid="debug-phase">
          {conn.phase}
          {conn.tries > 0 ? ` (try ${conn.tries})` : ""}
          {conn.retryInMs !== null ? `, next in ${conn.retryInMs} ms` : ""}
        </span>
        <button type="button" onClick={() => frameTap.drop()}>
          Drop socket
        </button>
        <button type="button" class="secondary" onClick={() => setOpen(!isOpen)}>
          {isOpen ? "Hide frames" : "Show frames"}
        </button>
      </div>
      <table class="debug-rooms">
        <caption>Rooms</caption>
        <thead>
          <tr>
            <th>group</th>
            <th>joined</th>
            <th>epoch</th>
            <th>seq</th>
          </tr>
        </thead>
        <tbody>
          {rooms.map(([group, room]) => (
            <tr key={group} data-group={group}>
              <td>{group.slice(0, 8)}</td>
              <td>{room.joined ? "yes" : "no"}</td>
              <td>{room.epoch ?? "—"}</td>
              <td>{room.lastSeq}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {isOpen && <Frames frames={frameTap.frames} />}
    </div>
  );
}

function Frames({ frames }: { frames: readonly TappedFrame[] }) {
  return (
    <ol class="debug-frames" aria-label={`Last ${frames.length} frames`}>
      {frames.map((frame, index) => (
        <li key={`${frame.atMs}-${index}`} class={`debug-frame debug-${frame.direction}`}>
          <time>{new Date(frame.atMs).toISOString().slice(11, 23)}</time>
          <span>{frame.direction === "in" ? "←" : "→"}</span>
          <code>{frame.text}</code>
        </li>
      ))}
    </ol>
  );
}
