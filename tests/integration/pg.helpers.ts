/** A throwaway database on the test cluster (TEST_POSTGRES_URL, scripts/ci-postgres.sh), made for one test file. */
import pg from 'pg';

export interface TestDatabase {
  name: string;
  /** The database's URL (HISTORY_URL for the processes under test). */
  url: string;
  /** A connection to the cluster's own database, for ALTER DATABASE and the like. */
  admin: pg.Client;
  /** Run one query on a connection of its own (as another process would see the data), returning the rows. */
  query(sql: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  /** Drop the database (connections still open are ended) and close the admin connection. */
  drop(): Promise<void>;
}

/** Create `<prefix>_<pid>_<time>` on the cluster at `clusterUrl`. */
export async function createTestDatabase(clusterUrl: string, prefix: string): Promise<TestDatabase> {
  const name = `${prefix}_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: clusterUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const u = new URL(clusterUrl);
  u.pathname = `/${name}`;
  return {
    name,
    url: u.toString(),
    admin,
    async query(sql, params) {
      const db = new pg.Client({ connectionString: u.toString() });
      await db.connect();
      try {
        return (await db.query(sql, params)).rows;
      } finally {
        await db.end();
      }
    },
    async drop() {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}
