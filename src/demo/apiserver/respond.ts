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
  /** Extra headers (Retry-After). */
  headers?: Record<string, string>;
}

export const JSON_TYPE = 'application/json';
export const TEXT_TYPE = 'text/plain; charset=utf-8';

/** Write `a`, spoiling it as a fault asks (`malformed` body, `reset` socket, wrong content type, oversized). */
export function writeAnswer(req: IncomingMessage, res: ServerResponse, a: Answer, fault: Fault): void {
  if (a.code === 200 && fault.oversizeBytes) return writeOversized(res, a, fault.oversizeBytes);
  const contentType = a.code === 200 && fault.broken === 'contentType' ? TEXT_TYPE : (a.contentType ?? JSON_TYPE);
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
    ...(a.headers ?? {}),
    ...(contentType === TEXT_TYPE ? { 'X-Content-Type-Options': 'nosniff' } : {}),
  });
  res.end(text);
}

/**
 * A list answer of at least `bytes`, padded with filler items and written chunk by chunk
 * (no Content-Length, as a server streaming a huge list does), waiting for the reader; it
 * stops when the client goes away.
 */
function writeOversized(res: ServerResponse, a: Answer, bytes: number): void {
  const kind = (a.body as { kind?: unknown } | undefined)?.kind;
  res.writeHead(200, { 'Content-Type': a.contentType ?? JSON_TYPE, 'Audit-Id': randomUUID() });
  const head = `{"kind":${JSON.stringify(typeof kind === 'string' ? kind : 'List')},"apiVersion":"v1","metadata":{"resourceVersion":"1"},"items":[`;
  const item = JSON.stringify({ metadata: { name: 'filler', namespace: 'filler', annotations: { pad: 'x'.repeat(4000) } } });
  const chunk = Array.from({ length: 16 }, () => item).join(',');
  let written = 0;
  const pump = (): void => {
    while (written < bytes) {
      if (res.destroyed) return;
      const text = written === 0 ? head + chunk : `,${chunk}`;
      written += text.length;
      if (!res.write(text)) return void res.once('drain', pump);
    }
    res.end(']}\n');
  };
  pump();
}
