import type { ActorObserver } from "@clofri/actors";
import { Counter, collectDefaultMetrics, Gauge, Registry } from "prom-client";
import { type ClusterMetricSource, registerClusterMetrics } from "./cluster-metrics.ts";
import { FastHistogram, type HistogramSeries } from "./fast-histogram.ts";
import {
  ERROR_FRAME,
  errorCodeIndex,
  MESSAGE_FRAME,
  type ReceivedFrameLabel,
  receivedFrameIndex,
  serverFrameIndex,
} from "./frame-types.ts";
import {
  CLOSE_CODE_LABELS,
  COUNTERS,
  type Definition,
  GAUGES,
  HISTOGRAMS,
  type HistogramDefinition,
  HTTP_REQUESTS,
  type MetricSources,
  PREFIX,
  RATE_LIMITS,
  type RateLimit,
  Tallies,
  UPGRADE_REFUSALS,
  type UpgradeRefusal,
} from "./metric-definitions.ts";

export type { MetricSources, RateLimit, UpgradeRefusal };

/**
 * The gateway's metrics, in a registry of its own (tests run several gateways in one process).
 * What is counted per frame is a plain number in `Tallies`; gauges read their sources at scrape time.
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  #sources: MetricSources | undefined;
  readonly #tallies = new Tallies();
  readonly #joinLatency: HistogramSeries;
  readonly #sendLatency: HistogramSeries;
  readonly #httpRequests: Counter<(typeof HTTP_REQUESTS.labelNames)[number]>;
  readonly #httpDuration: FastHistogram;
  readonly #httpDurationSeries = new Map<string, HistogramSeries>();
  #relayLag: HistogramSeries | undefined;

  /** Room actors report their handling times here (`mailboxDepth` is sampled at scrape time). */
  readonly roomObserver: ActorObserver;

  constructor(options: { defaultMetrics?: boolean } = {}) {
    const registry = this.registry;
    if (options.defaultMetrics !== false) {
      collectDefaultMetrics({ register: registry, prefix: PREFIX });
    }
    for (const definition of GAUGES) gauge(registry, definition, () => this.#sources);
    for (const definition of COUNTERS) counter(registry, definition, this.#tallies);
    const roomHandling = histogram(registry, HISTOGRAMS.roomHandling).series({ actor: "room" });
    this.roomObserver = {
      messageHandled(_label, durationMs) {
        roomHandling.observe(durationMs / 1000);
      },
    };
    this.#joinLatency = histogram(registry, HISTOGRAMS.joinLatency).series();
    this.#sendLatency = histogram(registry, HISTOGRAMS.sendLatency).series();
    this.#httpRequests = new Counter({
      name: `${PREFIX}${HTTP_REQUESTS.name}`,
      help: HTTP_REQUESTS.help,
      labelNames: HTTP_REQUESTS.labelNames,
      registers: [registry],
    });
    this.#httpDuration = histogram(registry, HISTOGRAMS.httpDuration);
  }

  /** Cluster mode: the `clofri_cluster_*` families, read from the cluster at scrape time. */
  enableCluster(source: ClusterMetricSource): void {
    this.#relayLag = registerClusterMetrics(this.registry, source);
  }

  relayLag(seconds: number): void {
    this.#relayLag?.observe(seconds);
  }

  /** The gauges' sources, known once the real-time layer exists. */
  setSources(sources: MetricSources): void {
    this.#sources = sources;
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The Prometheus text exposition. */
  expose(): Promise<string> {
    return this.registry.metrics();
  }

  // --- the hot path: array increments, no allocation ---------------------------------------

  frameReceived(label: ReceivedFrameLabel): void {
    add(this.#tallies.framesReceived, receivedFrameIndex(label), 1);
  }

  /** An encoded frame went to `recipients` sockets; returns its type's index. */
  framesSent(text: string, recipients: number): number {
    const index = serverFrameIndex(text);
    add(this.#tallies.framesSent, index, recipients);
    if (index === ERROR_FRAME) {
      add(this.#tallies.errors, errorCodeIndex(text), recipients);
    }
    return index;
  }

  /** `count` frames of a type known without reading them (not `message`, not `error`) went out. */
  framesOfTypeSent(index: number, count: number): void {
    add(this.#tallies.framesSent, index, count);
  }

  /** A frame published to a topic that `recipients` sockets had subscribed to. */
  published(text: string, recipients: number): void {
    if (this.framesSent(text, recipients) !== MESSAGE_FRAME) return;
    this.#tallies.messagesSent++;
    this.#tallies.messageDeliveries += recipients;
  }

  joinLatency(seconds: number): void {
    this.#joinLatency.observe(seconds);
  }

  sendLatency(seconds: number): void {
    this.#sendLatency.observe(seconds);
  }

  // --- the rest ------------------------------------------------------------------------------

  connectionOpened(): void {
    this.#tallies.connectionsOpened++;
  }

  connectionClosed(code: number): void {
    const index = CLOSE_CODE_LABELS.indexOf(code);
    add(this.#tallies.closes, index === -1 ? CLOSE_CODE_LABELS.length : index, 1);
  }

  upgradeRefused(reason: UpgradeRefusal): void {
    add(this.#tallies.upgradesRefused, UPGRADE_REFUSALS.indexOf(reason), 1);
  }

  rateLimited(limit: RateLimit): void {
    add(this.#tallies.rateLimited, RATE_LIMITS.indexOf(limit), 1);
  }

  /** The room supervisor's events; the ones that are not about crashes are not counted. */
  roomEvent(event: { type: string }): void {
    if (event.type === "room_crashed") this.#tallies.roomCrashes++;
    else if (event.type === "room_restarted") this.#tallies.roomRestarts++;
    else if (event.type === "room_gave_up") this.#tallies.roomGiveUps++;
  }

  /** `method` is a known method or "other", `route` the pattern that matched: never raw input. */
  httpRequest(method: string, route: string, status: number, seconds: number): void {
    this.#httpRequests.inc({ method, route, status: String(status) });
    const key = `${method} ${route}`;
    let series = this.#httpDurationSeries.get(key);
    if (series === undefined) {
      series = this.#httpDuration.series({ method, route });
      this.#httpDurationSeries.set(key, series);
    }
    series.observe(seconds);
  }
}

function add(values: Float64Array, index: number, by: number): void {
  values[index] = (values[index] as number) + by;
}

/** A counter whose values live in the tallies and are copied in when scraped. */
function counter(registry: Registry, definition: Definition<Tallies>, tallies: Tallies): void {
  new Counter({
    name: `${PREFIX}${definition.name}`,
    help: definition.help,
    labelNames: definition.labelNames,
    registers: [registry],
    collect() {
      this.reset();
      for (const [labels, value] of definition.read(tallies)) this.inc(labels, value ?? 0);
    },
  });
}

function gauge(
  registry: Registry,
  definition: Definition<MetricSources | undefined>,
  sources: () => MetricSources | undefined,
): void {
  new Gauge({
    name: `${PREFIX}${definition.name}`,
    help: definition.help,
    labelNames: definition.labelNames,
    registers: [registry],
    collect() {
      for (const [labels, value] of definition.read(sources())) this.set(labels, value ?? 0);
    },
  });
}

function histogram(registry: Registry, definition: HistogramDefinition): FastHistogram {
  return new FastHistogram({ ...definition, name: `${PREFIX}${definition.name}`, registry });
}
