import type { Sessions } from "../auth/sessions.ts";
import type { Rooms } from "../chat/rooms.ts";
import type { UserPresence } from "../chat/user-presence.ts";
import type { Config } from "../config.ts";
import type { Logger } from "../obs/logger.ts";
import type { GatewayMetrics } from "../obs/metrics.ts";
import type { PresenceReader } from "../social/presence.ts";
import { Admission } from "./admission.ts";
import type { Connection } from "./connection.ts";
import type { ConnectionIndex } from "./connection-index.ts";
import { FrameHandler } from "./frame-handler.ts";
import type { FrameLimits } from "./frame-limits.ts";
import { HeldReplies } from "./held-replies.ts";
import type { Liveness } from "./liveness.ts";
import { SocketHandlers } from "./socket-handlers.ts";
import type { UserDirectory } from "./users/user-directory.ts";

export interface SocketWiringDeps {
  config: Config;
  logger: Logger;
  metrics: GatewayMetrics;
  now: () => number;
  sessions: Sessions;
  connections: Map<string, Connection>;
  index: ConnectionIndex;
  directory: UserDirectory;
  rooms: Rooms;
  limits: FrameLimits;
  liveness: Liveness;
  userPresence: UserPresence;
  presence: PresenceReader;
  /** The person's sockets on other gateways (cluster mode). */
  socketsElsewhere(userId: string): number;
  onSocketsChanged(userId: string): void;
  /** Cluster mode: the other gateways hear of a socket's person before its hello goes out. */
  isClustered: boolean;
  isShuttingDown(): boolean;
}

/** A socket's whole way: admission (its session), its frames, its open and close. */
export function wireSockets(deps: SocketWiringDeps): SocketHandlers {
  const { config, logger, metrics, now } = deps;
  const admission = new Admission({
    sessions: deps.sessions,
    directory: deps.directory,
    index: deps.index,
    maxSocketsPerUser: config.limits.maxSocketsPerUser,
    socketsElsewhere: deps.socketsElsewhere,
    logger,
    metrics,
    ...(deps.rooms.activityElsewhere && {
      activityElsewhere: deps.rooms.activityElsewhere.bind(deps.rooms),
    }),
    onAdmitted: (conn, elsewhere) => sockets.admitted(conn, elsewhere),
  });
  const frames = new FrameHandler({
    rooms: deps.rooms,
    limits: deps.limits,
    liveness: deps.liveness,
    held: new HeldReplies(logger),
    now,
    logger,
    metrics,
  });
  const sockets = new SocketHandlers({
    ...deps,
    frames,
    admit: (conn) => admission.admit(conn),
  });
  return sockets;
}
