import { CLOSE_CODES } from "@clofri/protocol";
import type { Sessions, SessionsEnded } from "../auth/sessions.ts";
import { NO_ROOMS } from "../chat/rooms.ts";
import type { ClusterNode } from "../cluster/cluster-node.ts";
import type { ClusterRealtime } from "../cluster/cluster-realtime.ts";
import type { PresenceTransition } from "../cluster/presence-tracker.ts";
import type { Logger } from "../obs/logger.ts";
import type { SocialBus } from "../social/events.ts";
import type { Connection } from "./connection.ts";
import type { ConnectionIndex } from "./connection-index.ts";
import { SocialSync } from "./social-sync.ts";
import type { UserDirectory } from "./users/user-directory.ts";

export interface ClusterEdgeDeps {
  cluster: ClusterNode;
  rooms: ClusterRealtime;
  events: SocialBus;
  sessions: Sessions;
  directory: UserDirectory;
  index: ConnectionIndex;
  connections: ReadonlyMap<string, Connection>;
  onPresence(transition: PresenceTransition): void;
  onPresenceMode(userId: string): void;
  publish(topic: string, text: string): void;
  closeSessions(event: SessionsEnded): void;
  logger: Logger;
}

/**
 * The WebSocket edge in cluster mode: social changes and ended sessions go out to the other
 * gateways and come in from them; friends hear of presence merged across gateways; a gateway
 * cut off past its lease closes its sockets, whose clients come back through another.
 * Returns the unsubscribes.
 */
export function startClusterEdge(deps: ClusterEdgeDeps): Array<() => void> {
  const { cluster, sessions, logger } = deps;
  // Changes made on another gateway reach the rooms there; here only state and sockets.
  const elsewhere = new SocialSync({
    rooms: NO_ROOMS,
    directory: deps.directory,
    index: deps.index,
    publish: deps.publish,
    logger,
    onPresenceMode: deps.onPresenceMode,
  });
  deps.rooms.start({
    onPresence: deps.onPresence,
    onSocial: elsewhere.handle,
    onSessionsEnded: (event) => {
      sessions.forgetEnded(event);
      deps.closeSessions(event);
    },
    onFenced: () => {
      logger.warn({ event: "cluster_fenced", node: cluster.node });
      for (const conn of [...deps.connections.values()]) {
        conn.close(CLOSE_CODES.goingAway, "cut off from the cluster; reconnect", true);
      }
    },
  });
  return [
    deps.events.subscribe((event) => cluster.shareSocial(event)),
    sessions.onEnded((event) => cluster.shareSessionsEnded(event)),
  ];
}
