import pg from "pg";

/** A LISTEN connection that keeps itself alive. */
export interface Listener {
  /** Resolves once the first connection is listening on every channel. */
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

/** Options for {@link createListener}. */
export interface ListenerOptions {
  /**
   * Called after every successful (re)connect. Notifications sent while disconnected are lost,
   * so consumers re-check state here (e.g. look for queued runs).
   */
  onConnected?: () => void;
  onError?: (err: Error) => void;
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

/**
 * Listens on `channels` over a dedicated connection (pooled connections cannot hold a LISTEN)
 * and reconnects with jittered exponential backoff when the connection dies, e.g. on a
 * database restart, failover or pg_terminate_backend.
 */
export function createListener(
  url: string,
  channels: readonly string[],
  onMessage: (channel: string, payload: string) => void,
  opts: ListenerOptions = {},
): Listener {
  const minBackoff = opts.minBackoffMs ?? 100;
  const maxBackoff = opts.maxBackoffMs ?? 5_000;
  let closed = false;
  let failures = 0;
  let current: pg.Client | undefined;
  let timer: NodeJS.Timeout | undefined;
  let markReady = () => {};
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });

  const reconnectLater = () => {
    const delay = Math.min(maxBackoff, minBackoff * 2 ** failures) * (0.5 + Math.random() / 2);
    failures++;
    timer = setTimeout(connect, delay);
  };

  function connect() {
    if (closed) return;
    const client = new pg.Client({ connectionString: url, keepAlive: true });
    current = client;
    let dead = false;
    const die = (err?: Error) => {
      if (dead) return;
      dead = true;
      if (err && !closed) opts.onError?.(err);
      client.end().catch(() => undefined);
      if (!closed) reconnectLater();
    };
    client.on("error", die);
    client.on("end", () => die());
    client.on("notification", (msg) => {
      if (!dead) onMessage(msg.channel, msg.payload ?? "");
    });
    (async () => {
      await client.connect();
      for (const channel of channels) await client.query(`LISTEN ${client.escapeIdentifier(channel)}`);
    })().then(
      () => {
        if (dead || closed) return;
        failures = 0;
        markReady();
        opts.onConnected?.();
      },
      (err: Error) => die(err),
    );
  }

  connect();
  return {
    ready,
    async close() {
      closed = true;
      clearTimeout(timer);
      await current?.end().catch(() => undefined);
    },
  };
}
