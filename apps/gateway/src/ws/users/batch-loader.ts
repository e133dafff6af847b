/** Users loaded by one statement at most; a bigger burst is split. */
const MAX_BATCH = 500;

interface Pending<Row> {
  promise: Promise<Row | undefined>;
  resolve(row: Row | undefined): void;
  reject(error: unknown): void;
}

/**
 * Loads what is asked for within one turn of the event loop together, in statements of at most
 * `MAX_BATCH` ids: a burst of reconnects costs a few queries, not one per person.
 */
export class BatchLoader<Row> {
  readonly #load: (ids: readonly string[]) => Promise<ReadonlyMap<string, Row>>;
  /** Ids asked for since the last flush. */
  #pending = new Map<string, Pending<Row>>();

  constructor(load: (ids: readonly string[]) => Promise<ReadonlyMap<string, Row>>) {
    this.#load = load;
  }

  /** The row of `id`, undefined when there is none; rejects when its statement fails. */
  get(id: string): Promise<Row | undefined> {
    const known = this.#pending.get(id);
    if (known !== undefined) return known.promise;
    if (this.#pending.size === 0) setImmediate(() => this.#flush());
    const pending = deferred<Row>();
    this.#pending.set(id, pending);
    return pending.promise;
  }

  #flush(): void {
    const batch = [...this.#pending];
    this.#pending = new Map();
    for (let start = 0; start < batch.length; start += MAX_BATCH) {
      const chunk = batch.slice(start, start + MAX_BATCH);
      this.#load(chunk.map(([id]) => id)).then(
        (found) => {
          for (const [id, pending] of chunk) pending.resolve(found.get(id));
        },
        (error: unknown) => {
          for (const [, pending] of chunk) pending.reject(error);
        },
      );
    }
  }
}

function deferred<Row>(): Pending<Row> {
  let resolve!: Pending<Row>["resolve"];
  let reject!: Pending<Row>["reject"];
  const promise = new Promise<Row | undefined>((onResolve, onReject) => {
    resolve = onResolve;
    reject = onReject;
  });
  return { promise, resolve, reject };
}
