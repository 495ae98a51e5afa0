/** A route: a path pattern with `{name}` segments, and what answers it. */
export interface Reply {
  status?: number;
  contentType: string;
  body: string | Buffer;
  headers?: Record<string, string>;
}

export interface RouteRequest {
  params: Record<string, string>;
  query: URLSearchParams;
}

export interface Route {
  /** The OpenAPI path, e.g. `/api/v1/runs/{run}/findings`. */
  readonly path: string;
  match(pathname: string): Record<string, string> | undefined;
  handle(req: RouteRequest): Promise<Reply>;
}

/** An answer other than 200, with the message the client sees. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const SEGMENT = /^[A-Za-z0-9._~:-]{1,200}$/;

export function route(path: string, handle: (req: RouteRequest) => Promise<Reply>): Route {
  const parts = path.split('/');
  return {
    path,
    match: (pathname) => {
      const given = pathname.split('/');
      if (given.length !== parts.length) return undefined;
      const params: Record<string, string> = {};
      for (let i = 0; i < parts.length; i++) {
        const want = parts[i] as string;
        const got = given[i] as string;
        const name = /^\{(\w+)\}$/.exec(want)?.[1];
        if (name) {
          const value = decodeURIComponent(got);
          if (!SEGMENT.test(value)) return undefined;
          params[name] = value;
        } else if (want !== got) return undefined;
      }
      return params;
    },
    handle,
  };
}

export function json(value: unknown, status = 200): Reply {
  return { status, contentType: 'application/json; charset=utf-8', body: JSON.stringify(value) };
}

/** A query parameter given at most once, bounded in length; undefined when absent. */
export function param(query: URLSearchParams, name: string, maxLength = 200): string | undefined {
  const all = query.getAll(name);
  if (all.length > 1) throw new HttpError(400, `query parameter "${name}" given ${all.length} times; give it once`);
  const v = all[0];
  if (v === undefined || v === '') return undefined;
  if (v.length > maxLength) throw new HttpError(400, `query parameter "${name}" is longer than ${maxLength} characters`);
  return v;
}

/** A parameter that must be one of `values`. */
export function oneOf<T extends string>(query: URLSearchParams, name: string, values: readonly T[]): T | undefined {
  const v = param(query, name);
  if (v === undefined) return undefined;
  if (!(values as readonly string[]).includes(v)) throw new HttpError(400, `query parameter "${name}": "${v}" is not one of ${values.join(', ')}`);
  return v as T;
}

/** An integer parameter within [min, max]. */
export function intParam(query: URLSearchParams, name: string, min: number, max: number, fallback: number): number {
  const v = param(query, name, 12);
  if (v === undefined) return fallback;
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) throw new HttpError(400, `query parameter "${name}": "${v}" is not an integer from ${min} to ${max}`);
  return Number(v);
}

/** A period such as `30d` or `12h` (1h to 3650d), in ms. */
export function periodParam(query: URLSearchParams, name: string, fallbackMs: number): number {
  const v = param(query, name, 12);
  if (v === undefined) return fallbackMs;
  const m = /^(\d{1,5})(h|d)$/.exec(v);
  const ms = m ? Number(m[1]) * (m[2] === 'd' ? 86_400_000 : 3_600_000) : NaN;
  if (!(ms >= 3_600_000 && ms <= 3650 * 86_400_000)) throw new HttpError(400, `query parameter "${name}": "${v}" is not a period such as 30d or 12h (1h to 3650d)`);
  return ms;
}
