/**
 * The HTTP server's listen address: `host:port`, `[v6]:port`, `:port` (loopback), or `off`.
 * Parsed here once, for the configuration's `server.listen` and the `--listen` flags alike.
 */
export interface ListenAddress {
  host: string;
  port: number;
}

export const DEFAULT_LISTEN = '127.0.0.1:9464';

/** The address, `undefined` for `off`; throws a message naming the text when it is not one. */
export function parseListen(text: string): ListenAddress | undefined {
  const t = text.trim();
  if (t === 'off') return undefined;
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]*)):(\d{1,5})$/.exec(t);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65_535) throw new Error(`listen address ${JSON.stringify(text)} is not host:port, [ipv6]:port, :port or off (port 0 to 65535)`);
  const host = m[1] ?? (m[2] === '' || m[2] === undefined ? '127.0.0.1' : m[2]);
  return { host, port };
}
