/**
 * A byte pipe between a TCP port on loopback and a Unix socket, either way round. It is how the
 * synthetic children, each in a network namespace with nothing but its own loopback, reach Vigil:
 * the browser host serves each run's guard proxy on its loopback (Chromium needs a TCP proxy) and
 * its Playwright server on a Unix socket; a runner reaches Vigil's relay through one.
 */
import { connect, createServer, type Socket } from 'node:net';

export type Endpoint = { host: string; port: number } | { path: string };

export interface Bridge {
  /** The TCP port listened on (0 when listening on a Unix socket). */
  port: number;
  close(): void;
}

export async function bridge(listen: Endpoint, target: Endpoint): Promise<Bridge> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(target);
    sockets.add(client).add(upstream);
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen, () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}
