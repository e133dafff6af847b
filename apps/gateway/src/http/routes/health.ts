import type { ClusterStatus } from "../../cluster/cluster-node.ts";
import type { Router } from "../router.ts";

export interface HealthSources {
  now(): number;
  startedAtMs: number;
  connections(): number;
  rooms(): number;
  /** Resolves true when the database answered a trivial query in time. */
  isDatabaseUp(): Promise<boolean>;
  /** True once shutdown began: load balancers should stop sending traffic here. */
  isStopping(): boolean;
  /** Cluster mode: this node, the live nodes, NATS, and whether this node holds its lease. */
  cluster?: () => ClusterStatus & { isFenced: boolean };
}

export const HEALTH_PATH = "/health";

/**
 * `GET /health`: 200 `ok` while serving with the database up; 503 `degraded` when the database
 * does not answer (connected users keep chatting meanwhile), 503 `stopping` during shutdown.
 * Cluster mode adds `cluster`: NATS lost is 200 `degraded` (local rooms go on, so a balancer
 * should keep the node), a node that fenced itself 503.
 */
export function healthRoutes(router: Router, sources: HealthSources): void {
  router.get(HEALTH_PATH, async () => {
    const isDatabaseUp = await sources.isDatabaseUp();
    const isStopping = sources.isStopping();
    const cluster = sources.cluster?.();
    const isClusterDown = cluster !== undefined && cluster.nats !== "connected";
    const isHealthy = isDatabaseUp && !isStopping && cluster?.isFenced !== true;
    const status = isStopping
      ? "stopping"
      : isDatabaseUp && !isClusterDown && cluster?.isFenced !== true
        ? "ok"
        : "degraded";
    return {
      status: isHealthy ? 200 : 503,
      body: {
        status,
        uptime: Math.floor((sources.now() - sources.startedAtMs) / 1000),
        connections: sources.connections(),
        rooms: sources.rooms(),
        db: isDatabaseUp ? "up" : "down",
        ...(cluster === undefined
          ? {}
          : { cluster: { node: cluster.node, nodes: cluster.nodes, nats: cluster.nats } }),
      },
    };
  });
}
