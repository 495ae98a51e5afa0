/**
 * SQLite statements wait their turn in a queue of this process, not in knex's pool.
 *
 * A SQLite store has one connection (one writer, and knex's transactions must share it), so
 * every statement and transaction of the process takes it in turn. knex's pool gives each
 * waiter its own deadline (acquireConnectionTimeout), which on one connection measures how
 * long the queue ahead is, not a fault: a report that asks for a dozen reads at once, while
 * a large run is read, timed out with "the pool is probably full". Here a waiter enters the
 * pool only when the connection is free, so the pool's deadline bounds only opening the file,
 * and the queue is first come, first served. Waiting on another process (which holds the
 * file's write lock) is still bounded, by SQLite's busy_timeout.
 */
import type { Knex } from 'knex';

interface PoolClient {
  acquireConnection(): Promise<unknown>;
  releaseConnection(connection: unknown): Promise<void>;
}

/** A FIFO of one: `take` resolves when the previous holder has called `give`. */
class Turn {
  private busy = false;
  private readonly waiting: Array<() => void> = [];

  take(): Promise<void> {
    if (!this.busy) {
      this.busy = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  give(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.busy = false;
  }
}

/** Puts `db`'s statements and transactions in one queue; returns `db`. */
export function queueSqliteStatements(db: Knex): Knex {
  const client = db.client as PoolClient;
  const acquire = client.acquireConnection.bind(client);
  const release = client.releaseConnection.bind(client);
  const turn = new Turn();
  client.acquireConnection = async () => {
    await turn.take();
    try {
      return await acquire();
    } catch (err) {
      turn.give();
      throw err;
    }
  };
  client.releaseConnection = async (connection) => {
    try {
      await release(connection);
    } finally {
      turn.give();
    }
  };
  return db;
}
