/** Writing an answer: a JSON body or raw text, with the headers kube-apiserver sends. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { Fault } from './types.js';

/** An answer before it is written: a JSON body or raw text. */
export interface Answer {
  code: number;
  body?: unknown;
  raw?: string;
  contentType?: string;
}

export const JSON_TYPE = 'application/json';
export const TEXT_TYPE = 'text/plain; charset=utf-8';

/** Write `a`, spoiling it as a `broken` fault asks (`malformed` body, `reset` socket). */
export function writeAnswer(req: IncomingMessage, res: ServerResponse, a: Answer, fault: Fault): void {
  const contentType = a.contentType ?? JSON_TYPE;
  let text = a.raw ?? `${JSON.stringify(a.body)}\n`;
  if (a.code === 200 && fault.broken === 'malformed') text = text.slice(0, Math.max(10, Math.floor(text.length / 2)));
  if (fault.broken === 'reset') {
    res.writeHead(a.code, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text) });
    res.write(text.slice(0, Math.floor(text.length / 2)));
    setImmediate(() => req.socket.destroy());
    return;
  }
  res.writeHead(a.code, {
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-cache, private',
    'Audit-Id': randomUUID(),
    ...(contentType === TEXT_TYPE ? { 'X-Content-Type-Options': 'nosniff' } : {}),
  });
  res.end(text);
}
