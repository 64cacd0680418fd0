// A TCP proxy to a PostgreSQL server that holds every chunk `delayMs` each
// way, as the network to a server in another zone or region would. It runs
// in a worker thread, so it keeps forwarding while the benchmark's own
// thread is blocked (spawnSync) or busy.
import { Worker } from 'node:worker_threads';

/** Starts the proxy in front of `serverUrl`; returns that server's URL through it and a stop. */
export async function startLatencyProxy(serverUrl, delayMs) {
  const target = new URL(serverUrl);
  const worker = new Worker(
    `const net = require('node:net');
     const { parentPort, workerData: { host, port, delay } } = require('node:worker_threads');
     const proxy = net.createServer((client) => {
       const server = net.connect(port, host);
       for (const [from, to] of [[client, server], [server, client]]) {
         from.setNoDelay(true);
         from.on('data', (chunk) => setTimeout(() => to.write(chunk), delay));
         from.on('close', () => setTimeout(() => to.destroy(), delay));
         from.on('error', () => to.destroy());
       }
     });
     proxy.listen(0, '127.0.0.1', () => parentPort.postMessage(proxy.address().port));`,
    { eval: true, workerData: { host: target.hostname, port: Number(target.port || 5432), delay: delayMs } },
  );
  const port = await new Promise((resolve, reject) => worker.once('message', resolve).once('error', reject));
  /** `url` (a database on the same server) as reached through the proxy. */
  const through = (url) => {
    const proxied = new URL(url);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(port);
    return proxied.toString();
  };
  return { through, stop: () => worker.terminate() };
}
