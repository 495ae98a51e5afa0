/**
 * One small family of errors. Expected failures (a cluster that cannot be reached, a
 * control that throws) are data, not exceptions; these are thrown only at boundaries.
 */
export class AppError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The configuration file is missing, unreadable or invalid. The message names the key path. */
export class ConfigError extends AppError {
  constructor(
    message: string,
    readonly issues: readonly string[] = [message],
    options?: { cause?: unknown },
  ) {
    super('CONFIG', message, options);
  }
}

/** A kubeconfig is missing, malformed, or lacks the requested context. */
export class KubeconfigError extends AppError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('KUBECONFIG', message, options);
  }
}

export type AccessReason = 'unauthorized' | 'forbidden' | 'unreachable' | 'timeout' | 'tls' | 'protocol';

/** The cluster as a whole could not be assessed. */
export class ClusterAccessError extends AppError {
  constructor(
    readonly reason: AccessReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('CLUSTER_ACCESS', message, options);
  }
}

/** Invalid user input on the command line (a bad flag value, an unknown run id). */
export class UsageError extends AppError {
  constructor(message: string) {
    super('USAGE', message);
  }
}

/** A thrown value as text, whatever it is (`String()` itself throws on some objects). */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  try {
    return typeof err === 'object' && err !== null ? (JSON.stringify(err) ?? String(err)) : String(err);
  } catch {
    return `a thrown ${typeof err} that cannot be printed`;
  }
}
