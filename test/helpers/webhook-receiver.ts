/**
 * A local HTTP webhook receiver for the alert tests: records every request, and answers as
 * told, one behaviour per request in turn (the last one repeats): 200, an error status, or
 * no answer at all (a timeout).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Behaviour = number | 'hang';

export interface Received {
  headers: IncomingMessage['headers'];
  body: string;
  answered: Behaviour;
}

export interface WebhookReceiver {
  url: string;
  received: Received[];
  /** The behaviours of the next requests, in order; the last one holds after them. */
  answer(...behaviours: Behaviour[]): void;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<WebhookReceiver> {
  const received: Received[] = [];
  let plan: Behaviour[] = [200];
  const hanging = new Set<ServerResponse>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const behaviour = (plan.length > 1 ? plan.shift() : plan[0]) ?? 200;
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), answered: behaviour });
      if (behaviour === 'hang') {
        hanging.add(res);
        return;
      }
      res.writeHead(behaviour, { 'content-type': 'text/plain' }).end(behaviour < 300 ? 'ok' : 'nope');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    answer: (...behaviours) => {
      plan = behaviours.length > 0 ? behaviours : [200];
    },
    close: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
