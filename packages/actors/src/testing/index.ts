export {
  type CrasherMsg,
  type CrasherOptions,
  type CrashOnceMsg,
  crasher,
  crashOnce,
  createProbe,
  type EchoMsg,
  echo,
  type Probe,
  type SlowMsg,
  sleep,
  slow,
} from "./fixtures.ts";
export { ManualClock } from "./manual-clock.ts";
export { settle } from "./settle.ts";
