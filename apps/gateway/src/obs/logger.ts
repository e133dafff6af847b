import { type DestinationStream, type Logger, pino } from "pino";
import type { LogLevel } from "../config.ts";

export type { Logger };

/**
 * JSON logs, one line per event: callers log `{ event: "…", …fields }`. Secrets are redacted by
 * field name as a second line of defence; the first is never passing tokens or message text at all.
 */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: "clofri" },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: [
          "token",
          "*.token",
          "authorization",
          "*.authorization",
          "cookie",
          "*.cookie",
          "text",
          "*.text",
        ],
        censor: "[redacted]",
      },
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}
