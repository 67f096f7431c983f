/** Applies pending migrations to DATABASE_URL (used by the docker-compose job and by hand). */
import { loadConfig } from '../infra/config';
import { migrate } from '../infra/db';

async function main() {
  const config = loadConfig();
  if (!config.DATABASE_URL) throw new Error('DATABASE_URL must be set to migrate');
  const applied = await migrate(config.DATABASE_URL, (m) => console.log(m));
  console.log(applied.length ? `applied: ${applied.join(', ')}` : 'schema up to date');
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
