/**
 * Whether `name` is a time zone this runtime knows. node-cron hands the name to
 * Intl.DateTimeFormat only when the daemon starts its first job, where an unknown zone threw
 * a RangeError past the configuration check; asking Intl the same question at load time
 * gives the same answer.
 */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch (err) {
    if (err instanceof RangeError) return false;
    throw err;
  }
}
