import { Counter, Gauge, type Registry } from "prom-client";
import { FastHistogram, type HistogramSeries } from "./fast-histogram.ts";
import { PREFIX } from "./metric-definitions.ts";

/** What the cluster families read at scrape time (cluster mode only). */
export interface ClusterMetricSource {
  /** Live nodes, this one included. */
  nodes(): number;
  roomsOwned(): number;
  natsReconnects(): number;
  ownershipChanges(): number;
  /** Requests and casts sent to other nodes' rooms, by kind. */
  forwarded(): ReadonlyArray<readonly [op: string, count: number]>;
}

/** From an owner publishing a room event to a relay here delivering it. */
const LAG_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5];

/** Registers the `clofri_cluster_*` families; returns where relay lag is observed. */
export function registerClusterMetrics(
  registry: Registry,
  source: ClusterMetricSource,
): HistogramSeries {
  const gauges: Array<[string, string, () => number]> = [
    ["cluster_nodes", "Live gateways of the cluster, this one included.", () => source.nodes()],
    ["cluster_rooms_owned", "Rooms this gateway owns and runs.", () => source.roomsOwned()],
  ];
  for (const [name, help, read] of gauges) {
    new Gauge({
      name: `${PREFIX}${name}`,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  }
  const counters: Array<[string, string, () => number]> = [
    [
      "cluster_nats_reconnects_total",
      "Times the NATS connection came back.",
      source.natsReconnects,
    ],
    [
      "cluster_ownership_changes_total",
      "Rooms whose owner changed as this gateway saw it (claims, hand-overs, take-overs).",
      source.ownershipChanges,
    ],
  ];
  for (const [name, help, read] of counters) {
    new Counter({
      name: `${PREFIX}${name}`,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  }
  new Counter({
    name: `${PREFIX}cluster_forwarded_total`,
    help: "Frames forwarded to the gateway that owns their room, by kind.",
    labelNames: ["op"],
    registers: [registry],
    collect() {
      this.reset();
      for (const [op, count] of source.forwarded()) this.inc({ op }, count);
    },
  });
  return new FastHistogram({
    name: `${PREFIX}cluster_relay_lag_seconds`,
    help: "From an owner publishing a room event to this gateway relaying it to its sockets.",
    labelNames: [],
    buckets: LAG_BUCKETS,
    registry,
  }).series();
}
