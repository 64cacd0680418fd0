import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Session } from '../../src/pg/index.js';
import { useTestDatabase } from '../support/database.js';

const db = useTestDatabase();

/**
 * A TCP relay in front of the real server that can be frozen: once frozen,
 * it keeps the connection open but passes nothing on in either direction,
 * as a server stuck mid-session (or a dead network path) looks to a client.
 */
function freezableRelay(target: URL): { listen: () => Promise<number>; freeze: () => void; close: () => void } {
  let frozen = false;
  const sockets: net.Socket[] = [];
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    sockets.push(client, upstream);
    client.on('data', (chunk) => void (frozen || upstream.write(chunk)));
    upstream.on('data', (chunk) => void (frozen || client.write(chunk)));
    client.on('error', () => undefined);
    upstream.on('error', () => undefined);
  });
  return {
    listen: () => new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port))),
    freeze: () => void (frozen = true),
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

describe('a server that stops answering mid-session', () => {
  const relay = freezableRelay(new URL(db.url));
  let url: string;
  beforeAll(async () => {
    const via = new URL(db.url);
    via.port = String(await relay.listen());
    url = via.toString();
  });
  afterAll(() => relay.close());

  it('ends the query at the statement timeout plus the answer margin with "did not answer", instead of hanging', async () => {
    const session = await Session.open({
      connectionString: url,
      applicationName: 'phasegate frozen test',
      lockTimeoutMs: 200,
      statementTimeoutMs: 1_000,
      idleInTransactionTimeoutMs: 60_000,
      idleSessionTimeoutMs: 0,
      connectTimeoutMs: 5_000,
      keepAliveIdleMs: 10_000,
      answerMarginMs: 1_000,
    });
    await expect(session.query('SELECT 1 AS one')).resolves.toMatchObject({ rows: [{ one: 1 }] });
    relay.freeze();
    const started = performance.now();
    await expect(session.query('SELECT 1 AS one')).rejects.toMatchObject({ code: 'CONNECTION_FAILED', message: expect.stringMatching(/did not answer in 2s/) });
    const ms = performance.now() - started;
    expect(ms).toBeGreaterThanOrEqual(1_900);
    expect(ms).toBeLessThan(6_000);
    await session.end();
  });
});
