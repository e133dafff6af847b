import {
  canNotify,
  type NotifyMode,
  notificationsOn,
  notifyMode,
  notifySettings,
  setNotifyMode,
  setSound,
  soundOn,
  turnNotificationsOff,
  turnNotificationsOn,
} from "../net/notify.ts";
import { app } from "../state/store.ts";

/** The profile page's switch: the browser is asked only when the person clicks it. */
export function NotificationSettings() {
  notifySettings.value; // re-render on changes
  if (!canNotify()) {
    return (
      <section class="card" aria-labelledby="notify-title">
        <h2 id="notify-title">Notifications</h2>
        <p class="hint">This browser cannot show notifications.</p>
      </section>
    );
  }
  const on = notificationsOn();
  const denied = Notification.permission === "denied";
  return (
    <section class="card" aria-labelledby="notify-title">
      <h2 id="notify-title">Notifications</h2>
      <p class="hint">
        When Clofri is in the background: direct messages and mentions, or more per group (in each
        group's header).
      </p>
      <button
        type="button"
        class="secondary"
        disabled={denied && !on}
        onClick={() => (on ? turnNotificationsOff() : void turnNotificationsOn())}
      >
        {on ? "Turn off desktop notifications" : "Turn on desktop notifications"}
      </button>
      {denied && <p class="hint">Notifications are blocked in this browser's site settings.</p>}
      <label class="check">
        <input
          type="checkbox"
          checked={soundOn()}
          onChange={(e) => setSound(e.currentTarget.checked)}
        />
        Play a soft sound
      </label>
    </section>
  );
}

const LABELS: Record<NotifyMode, string> = {
  all: "Notify: every message",
  mentions: "Notify: mentions",
  none: "Notify: nothing",
};

/** Per group: what notifies me here (kept in this browser). */
export function NotifyChoice({ group }: { group: string }) {
  notifySettings.value;
  const mode = notifyMode(app.value, group);
  return (
    <label class="notify-choice">
      <span class="visually-hidden">Notify me of</span>
      <select
        value={mode}
        aria-label="Notify me of"
        onChange={(e) => setNotifyMode(group, e.currentTarget.value as NotifyMode)}
      >
        {(Object.keys(LABELS) as NotifyMode[]).map((key) => (
          <option key={key} value={key}>
            {LABELS[key]}
          </option>
        ))}
      </select>
    </label>
  );
}
