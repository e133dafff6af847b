// Desktop notifications, opt-in: asked for only when the person clicks the setting. While the tab
// is hidden, direct messages and mentions notify by default; each group can say all, mentions or
// none (kept in this browser). A click brings the tab forward and opens the room.
import type { ServerFrame } from "@clofri/protocol";
import { signal } from "@preact/signals";
import type { AppState } from "../state/app-state.ts";
import { activityOf } from "../state/awareness.ts";

export type NotifyMode = "all" | "mentions" | "none";

const ENABLED_KEY = "clofri.notify";
const SOUND_KEY = "clofri.notify.sound";
const groupKey = (group: string) => `clofri.notify.group.${group}`;

/** Bumped by every settings change, so views showing them re-render. */
export const notifySettings = signal(0);

function read(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function write(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    // Private mode: the setting lasts as long as the page.
  }
  notifySettings.value++;
}

export const canNotify = (): boolean => typeof Notification !== "undefined";

export function notificationsOn(): boolean {
  return canNotify() && Notification.permission === "granted" && read(ENABLED_KEY) === "on";
}

/** Asks the browser (from a click only) and remembers the answer. */
export async function turnNotificationsOn(): Promise<boolean> {
  if (!canNotify()) return false;
  const permission = await Notification.requestPermission();
  write(ENABLED_KEY, permission === "granted" ? "on" : "off");
  return permission === "granted";
}

export function turnNotificationsOff(): void {
  write(ENABLED_KEY, "off");
}

export const soundOn = (): boolean => read(SOUND_KEY) === "on";
export const setSound = (on: boolean): void => write(SOUND_KEY, on ? "on" : "off");

export function notifyMode(state: AppState, group: string): NotifyMode {
  const stored = read(groupKey(group));
  if (stored === "all" || stored === "mentions" || stored === "none") return stored;
  return state.groups.find((g) => g.id === group)?.kind === "direct" ? "all" : "mentions";
}

export const setNotifyMode = (group: string, mode: NotifyMode): void =>
  write(groupKey(group), mode);

/** Called with the state before `frame` changed it: notifies when the frame deserves it. */
export function notifyFrame(before: AppState, frame: ServerFrame): void {
  if (!notificationsOn() || document.visibilityState === "visible") return;
  const me = before.me?.id;
  if (me === undefined || isBusy(before)) return;
  if (frame.type === "message" && frame.userId !== me && before.rooms[frame.group]?.joined) {
    const mentioned = frame.mentions.includes(me);
    if (wants(before, frame.group, mentioned)) {
      show(before, frame.group, `${frame.displayName}: ${frame.text}`, mentioned);
    }
  } else if (frame.type === "group_activity" && frame.preview !== null) {
    const was = activityOf(before, frame.group);
    const isNew = frame.unread > was.unread || (frame.mentioned && !was.mentioned);
    if (isNew && frame.preview.userId !== me && wants(before, frame.group, frame.mentioned)) {
      const { displayName, text } = frame.preview;
      show(before, frame.group, `${displayName}: ${text}`, frame.mentioned);
    }
  }
}

function wants(state: AppState, group: string, mentioned: boolean): boolean {
  const mode = notifyMode(state, group);
  return mode === "all" || (mode === "mentions" && mentioned);
}

/** The presence mode "busy" silences notifications. */
function isBusy(state: AppState): boolean {
  return state.me?.presenceMode === "busy";
}

function show(state: AppState, group: string, body: string, mentioned: boolean): void {
  const name = state.groups.find((g) => g.id === group)?.name ?? "Clofri";
  const notification = new Notification(mentioned ? `${name}: you were mentioned` : name, {
    body: body.length > 120 ? `${body.slice(0, 119)}…` : body,
    tag: group,
  });
  notification.onclick = () => {
    window.focus();
    // As a back/forward step would: the router follows popstate (no import of it here).
    history.pushState(null, "", `/g/${group}`);
    window.dispatchEvent(new PopStateEvent("popstate"));
    notification.close();
  };
  if (soundOn()) chime();
}

/** A soft, short tone. */
function chime(): void {
  try {
    const audio = new AudioContext();
    const tone = audio.createOscillator();
    const gain = audio.createGain();
    tone.frequency.value = 660;
    gain.gain.setValueAtTime(0.04, audio.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.0001, audio.currentTime + 0.25);
    tone.connect(gain).connect(audio.destination);
    tone.start();
    tone.stop(audio.currentTime + 0.25);
    tone.onended = () => void audio.close();
  } catch {
    // No audio here: the notification is enough.
  }
}
