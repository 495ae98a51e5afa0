const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SYNTAX = 'write ${NAME} or ${NAME:-default}, or $${ for a literal ${';

/** A problem found at `path` (a key path in the parsed document). */
export type IssueSink = (path: readonly PropertyKey[], message: string) => void;

/**
 * Replace `${VAR}` and `${VAR:-default}` in every string value, so that credentials such as
 * a PostgreSQL URL can come from the environment instead of the file. The default applies
 * when the variable is unset or empty, as in the shell; `$${` is a literal `${`. Anything else
 * after `${` is an error: it used to pass through and became, say, a file name.
 */
export function interpolate(value: unknown, env: NodeJS.ProcessEnv, report: IssueSink, path: PropertyKey[] = []): unknown {
  if (typeof value === 'string') return interpolateText(value, env, (message) => report(path, message));
  if (Array.isArray(value)) return value.map((v, i) => interpolate(v, env, report, [...path, i]));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, env, report, [...path, k])]));
  }
  return value;
}

function interpolateText(text: string, env: NodeJS.ProcessEnv, report: (message: string) => void): string {
  let out = '';
  let i = 0;
  for (let start = text.indexOf('${'); start >= 0; start = text.indexOf('${', i)) {
    if (text[start - 1] === '$' && start - 1 >= i) {
      out += `${text.slice(i, start - 1)}\${`;
      i = start + 2;
      continue;
    }
    out += text.slice(i, start);
    const end = text.indexOf('}', start + 2);
    if (end < 0) {
      report(`unterminated reference ${quote(text.slice(start))}: no closing } (${SYNTAX})`);
      return out + text.slice(start);
    }
    const ref = text.slice(start, end + 1);
    const body = text.slice(start + 2, end);
    const sep = body.indexOf(':-');
    const name = sep < 0 ? body : body.slice(0, sep);
    const fallback = sep < 0 ? undefined : body.slice(sep + 2);
    i = end + 1;
    if (name === '') report(`empty variable name in ${quote(ref)} (${SYNTAX})`);
    else if (!NAME.test(name)) report(`invalid variable name ${quote(name)} in ${quote(ref)}: letters, digits and _, not starting with a digit (${SYNTAX})`);
    else if (fallback?.includes('${')) report(`a default cannot hold another reference: ${quote(`${ref}…`)}`);
    else {
      // Own properties only: `${constructor}` must not find Object.prototype's.
      const set = Object.hasOwn(env, name) ? env[name] : undefined;
      const v = set === undefined || (set === '' && fallback !== undefined) ? fallback : set;
      if (v === undefined) report(`environment variable ${name} is not set`);
      else out += v;
    }
  }
  return out + text.slice(i);
}

/** Quoted and cut short: the value may be long, and only its start says what is wrong. */
function quote(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}
