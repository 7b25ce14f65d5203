// An emulated network link for bench/workspace: a TCP proxy in front of the loopback git server
// that adds a round-trip time to every exchange and caps the download rate. Loopback makes a
// clone nearly free, which says little about a worker fetching from GitHub; with BENCH_LINK the
// naive clone and ticketsmith's fetch pay the same realistic link.
import { connect, createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface LinkShape {
  bytesPerSecond: number;
  rttMs: number;
}

/** "25MB/s,20ms" → 25 MiB/s down, 20 ms round trip. */
export function parseLink(text: string): LinkShape {
  const match = /^\s*(\d+(?:\.\d+)?)\s*MB\/s\s*,\s*(\d+(?:\.\d+)?)\s*ms\s*$/i.exec(text);
  if (!match) throw new Error(`BENCH_LINK: expected e.g. "25MB/s,20ms", got ${JSON.stringify(text)}`);
  return { bytesPerSecond: Number(match[1]) * 1024 * 1024, rttMs: Number(match[2]) };
}

export function describeLink(shape: LinkShape): string {
  return `${(shape.bytesPerSecond / 1024 / 1024).toFixed(0)} MiB/s down, ${shape.rttMs} ms round trip`;
}

/** Delays (and for the download direction, paces) every chunk; one chain per direction keeps the order. */
function relay(from: Socket, to: Socket, delayMs: number, bytesPerSecond: number | undefined): void {
  let nextFree = 0;
  let chain = Promise.resolve();
  const at = (time: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, time - performance.now())));
  from.on('data', (chunk: Buffer) => {
    const start = Math.max(performance.now(), nextFree);
    nextFree = start + (bytesPerSecond ? (chunk.length / bytesPerSecond) * 1000 : 0);
    const due = nextFree + delayMs;
    chain = chain.then(() => at(due)).then(() => void to.write(chunk));
  });
  from.on('end', () => {
    chain = chain.then(() => void to.end());
  });
  from.on('error', () => to.destroy());
}

export async function startLink(targetUrl: string, shape: LinkShape): Promise<{ url: string; close(): Promise<void> }> {
  const target = new URL(targetUrl);
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    }
    relay(client, upstream, shape.rttMs / 2, undefined);
    relay(upstream, client, shape.rttMs / 2, shape.bytesPerSecond);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const proxied = new URL(targetUrl);
  proxied.port = String((server.address() as AddressInfo).port);
  return {
    url: proxied.toString(),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
