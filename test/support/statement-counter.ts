import net from 'node:net';

/**
 * A TCP proxy in front of the test server that keeps the text of every
 * statement clients send through it, and with `delayMs` holds every chunk
 * that long each way, as the network to a distant server would.
 */
export interface StatementCounter {
  /** The test server's URL, through the proxy. */
  readonly url: string;
  /** Each statement's text, in the order they arrived: a simple Query or an extended-protocol Parse. */
  readonly statements: string[];
  close(): Promise<void>;
}

/** Startup-phase messages carry no type byte: the startup packet itself, and SSL or GSS encryption requests before it. */
const UNTYPED_REQUESTS = new Set([80877103, 80877104]);

/**
 * Reads the frontend side of PostgreSQL's protocol as it passes. Plain
 * connections only: an encrypted one cannot be read (the tests' servers
 * answer without TLS).
 */
export async function startStatementCounter(serverUrl: string, { delayMs = 0 } = {}): Promise<StatementCounter> {
  const target = new URL(serverUrl);
  const statements: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    sockets.add(client).add(upstream);
    let pending = Buffer.alloc(0);
    let started = false;
    // Equal delays keep the chunks in order.
    const send = (to: net.Socket, chunk: Buffer): void => {
      if (delayMs === 0) to.write(chunk);
      else setTimeout(() => to.write(chunk), delayMs);
    };
    client.on('data', (chunk: Buffer) => {
      send(upstream, chunk);
      pending = Buffer.concat([pending, chunk]);
      for (;;) {
        if (!started) {
          if (pending.length < 8) break;
          const length = pending.readInt32BE(0);
          if (pending.length < length) break;
          started = !UNTYPED_REQUESTS.has(pending.readInt32BE(4));
          pending = pending.subarray(length);
          continue;
        }
        if (pending.length < 5) break;
        const length = pending.readInt32BE(1);
        if (pending.length < 1 + length) break;
        const type = String.fromCharCode(pending[0] ?? 0);
        const body = pending.subarray(5, 1 + length);
        if (type === 'Q') statements.push(body.toString('utf8', 0, body.indexOf(0)));
        if (type === 'P') {
          const nameEnd = body.indexOf(0);
          statements.push(body.toString('utf8', nameEnd + 1, body.indexOf(0, nameEnd + 1)));
        }
        pending = pending.subarray(1 + length);
      }
    });
    upstream.on('data', (chunk: Buffer) => send(client, chunk));
    const end = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const proxied = new URL(serverUrl);
  proxied.hostname = '127.0.0.1';
  proxied.port = String((server.address() as net.AddressInfo).port);
  return {
    url: proxied.toString(),
    statements,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A backfill batch as the runner sends it: one call of its session's batch function (BackfillStore.commitBatch). */
export const batchCall = (sql: string): boolean => /\bFROM pg_temp\.phasegate_commit_batch_\d+\(/.test(sql);
