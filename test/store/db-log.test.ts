import { jest } from '@jest/globals';
import type { Logger } from '../../src/core/log.js';
import { openDatabase } from '../../src/store/db.js';

describe('database client log', () => {
  it("goes to complyd's logger, never to stdout (it once corrupted `scan -o json`)", async () => {
    const seen: Array<[string, unknown]> = [];
    const log = { debug: (o: unknown) => seen.push(['debug', o]), warn: (o: unknown) => seen.push(['warn', o]), error: (o: unknown) => seen.push(['error', o]) } as unknown as Logger;
    const stdout = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    const db = await openDatabase({ kind: 'sqlite', path: ':memory:' }, log);
    try {
      const logger = (db.client as { logger: { warn(m: string): void; error(m: string): void; deprecate(a: string, b: string): void } }).logger;
      logger.warn('a warning');
      logger.error('an error');
      logger.deprecate('old()', 'new()');
      // A failure knex logs with its stack is one line: the message.
      logger.warn('Acquire connection error: KnexTimeoutError: Timeout\n    at Client.acquireConnection (client.js:1:1)');
      expect(seen).toEqual([
        ['warn', { knex: 'a warning' }],
        ['error', { knex: 'an error' }],
        ['warn', { knex: 'old() is deprecated, please use new()' }],
        ['warn', { knex: 'Acquire connection error: KnexTimeoutError: Timeout' }],
      ]);
      expect(stdout).not.toHaveBeenCalled();
    } finally {
      stdout.mockRestore();
      await db.destroy();
    }
  });
});
