// A strict reader of the Prometheus text exposition format (0.0.4), as a scraper would read it:
// anything it does not understand is an error, so a malformed exposition fails the test.

export type MetricType = "counter" | "gauge" | "histogram" | "summary" | "untyped";

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  help: string;
  type: MetricType;
  samples: Sample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const TYPES = new Set<string>(["counter", "gauge", "histogram", "summary", "untyped"]);
const SUFFIXES: Record<MetricType, readonly string[]> = {
  counter: [""],
  gauge: [""],
  untyped: [""],
  histogram: ["_bucket", "_sum", "_count"],
  summary: ["", "_sum", "_count"],
};

export class ExpositionError extends Error {
  constructor(lineNumber: number, message: string, line: string) {
    super(`line ${lineNumber}: ${message}: ${JSON.stringify(line)}`);
  }
}

export function parseExposition(text: string): Map<string, Family> {
  if (!text.endsWith("\n")) throw new ExpositionError(0, "expected a final newline", "");
  const families = new Map<string, Family>();
  const seenSeries = new Set<string>();
  let current: Family | undefined;
  const lines = text.slice(0, -1).split("\n");
  lines.forEach((line, i) => {
    const n = i + 1;
    if (line === "") return;
    if (line.startsWith("#")) {
      const match = /^# (HELP|TYPE) ([^ ]+) ?(.*)$/.exec(line);
      if (!match) return; // any other comment
      const [, keyword, name = "", rest = ""] = match;
      if (!METRIC_NAME.test(name) || METRIC_NAME.exec(name)?.[0] !== name) {
        throw new ExpositionError(n, "bad metric name", line);
      }
      let family = families.get(name);
      if (family === undefined) {
        family = { name, help: "", type: "untyped", samples: [] };
        families.set(name, family);
      } else if (family !== current) {
        throw new ExpositionError(n, `${name} appears twice, not grouped`, line);
      }
      current = family;
      if (keyword === "HELP") {
        family.help = unescapeHelp(rest, n, line);
      } else {
        if (!TYPES.has(rest)) throw new ExpositionError(n, "unknown type", line);
        if (family.samples.length > 0) throw new ExpositionError(n, "TYPE after samples", line);
        family.type = rest as MetricType;
      }
      return;
    }
    const sample = parseSample(line, n);
    const family = current;
    if (family === undefined || !belongsTo(sample.name, family)) {
      throw new ExpositionError(n, "sample outside its family (no TYPE line before it)", line);
    }
    const series = `${sample.name}${JSON.stringify(Object.entries(sample.labels).sort())}`;
    if (seenSeries.has(series)) throw new ExpositionError(n, "duplicate series", line);
    seenSeries.add(series);
    family.samples.push(sample);
  });
  for (const family of families.values()) checkFamily(family);
  return families;
}

function belongsTo(sampleName: string, family: Family): boolean {
  return SUFFIXES[family.type].some((suffix) => sampleName === `${family.name}${suffix}`);
}

function parseSample(line: string, n: number): Sample {
  const name = METRIC_NAME.exec(line)?.[0];
  if (name === undefined) throw new ExpositionError(n, "expected a metric name", line);
  let at = name.length;
  const labels: Record<string, string> = {};
  if (line[at] === "{") {
    at++;
    while (line[at] !== "}") {
      const labelName = LABEL_NAME.exec(line.slice(at))?.[0];
      if (labelName === undefined) throw new ExpositionError(n, "expected a label name", line);
      if (Object.hasOwn(labels, labelName)) throw new ExpositionError(n, "repeated label", line);
      at += labelName.length;
      if (line.slice(at, at + 2) !== '="') throw new ExpositionError(n, 'expected ="', line);
      at += 2;
      let value = "";
      for (;;) {
        const char = line[at];
        if (char === undefined) throw new ExpositionError(n, "unterminated label value", line);
        at++;
        if (char === '"') break;
        if (char === "\\") {
          const escaped = line[at++];
          if (escaped === "\\") value += "\\";
          else if (escaped === '"') value += '"';
          else if (escaped === "n") value += "\n";
          else throw new ExpositionError(n, "bad escape in label value", line);
        } else {
          value += char;
        }
      }
      labels[labelName] = value;
      if (line[at] === ",") at++;
      else if (line[at] !== "}") throw new ExpositionError(n, "expected , or }", line);
    }
    at++;
  }
  const rest = line.slice(at);
  const match = /^ ([^ ]+)( -?\d+)?$/.exec(rest);
  if (!match?.[1]) throw new ExpositionError(n, "expected one space, a value, maybe a time", line);
  return { name, labels, value: parseValue(match[1], n, line) };
}

function parseValue(text: string, n: number, line: string): number {
  if (/^\+?inf$/i.test(text)) return Number.POSITIVE_INFINITY;
  if (/^-inf$/i.test(text)) return Number.NEGATIVE_INFINITY;
  if (/^nan$/i.test(text)) return Number.NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) {
    throw new ExpositionError(n, "bad value", line);
  }
  return Number(text);
}

function unescapeHelp(text: string, n: number, line: string): string {
  return text.replace(/\\(.?)/g, (_, escaped: string) => {
    if (escaped === "\\") return "\\";
    if (escaped === "n") return "\n";
    throw new ExpositionError(n, "bad escape in HELP", line);
  });
}

/** Histograms: cumulative buckets ending in +Inf, which equals _count. */
function checkFamily(family: Family): void {
  if (family.type !== "histogram") return;
  const bySeries = new Map<string, Sample[]>();
  for (const sample of family.samples) {
    const { le, ...rest } = sample.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    if (sample.name.endsWith("_bucket") && le === undefined) {
      throw new Error(`${family.name}: a bucket without le`);
    }
    bySeries.set(key, [...(bySeries.get(key) ?? []), sample]);
  }
  for (const [key, samples] of bySeries) {
    const buckets = samples.filter((s) => s.name.endsWith("_bucket"));
    const count = samples.find((s) => s.name === `${family.name}_count`);
    const sum = samples.find((s) => s.name === `${family.name}_sum`);
    const last = buckets[buckets.length - 1];
    if (!count || !sum || last?.labels.le !== "+Inf") {
      throw new Error(`${family.name}${key}: expected buckets ending in +Inf, _sum and _count`);
    }
    let previous = 0;
    let previousLe = Number.NEGATIVE_INFINITY;
    for (const bucket of buckets) {
      const le = parseValue(bucket.labels.le ?? "", 0, bucket.name);
      if (le <= previousLe || bucket.value < previous) {
        throw new Error(`${family.name}${key}: buckets must rise in le and be cumulative`);
      }
      previous = bucket.value;
      previousLe = le;
    }
    if (last.value !== count.value) throw new Error(`${family.name}${key}: +Inf ≠ _count`);
  }
}

/** The value of one sample; labels must match exactly. Throws when there is none. */
export function sampleValue(
  families: Map<string, Family>,
  name: string,
  labels: Record<string, string> = {},
): number {
  const family =
    families.get(name) ?? families.get(name.replace(/_(bucket|sum|count)$/, "")) ?? undefined;
  const wanted = JSON.stringify(Object.entries(labels).sort());
  const sample = family?.samples.find(
    (s) => s.name === name && JSON.stringify(Object.entries(s.labels).sort()) === wanted,
  );
  if (sample === undefined) throw new Error(`no sample ${name}${JSON.stringify(labels)}`);
  return sample.value;
}
