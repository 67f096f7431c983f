import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

/**
 * What docker-compose.yml promises about production, checked here because no Docker engine runs
 * it on these machines (`npm run prod-like` runs its commands, environments and the same Temporal
 * version without Docker; see .ci/run).
 */
const root = path.resolve(__dirname, '../..');
const read = (f: string) => fs.readFileSync(path.join(root, f), 'utf8');

describe('the production deployment files', () => {
  const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, any> };
  const s = compose.services;
  const serverVersion = /TEMPORAL_SERVER_VERSION="v([\d.]+)"/.exec(read('scripts/install-tools.sh'))?.[1];

  it('Temporal: the server image at the version prod-like builds, schema by admin-tools, never auto-setup', () => {
    expect(serverVersion).toBeDefined();
    expect(s.temporal.image).toBe(`temporalio/server:${serverVersion}`);
    expect(s['temporal-schema'].image).toContain(`temporalio/admin-tools:\${TEMPORAL_ADMINTOOLS_TAG:-${serverVersion}}`);
    expect(s['temporal-schema'].command).toEqual(['schema']);
    expect(s['temporal-namespace'].command).toEqual(['namespace']);
    expect(Object.values(s).map((svc) => String(svc.image ?? '')).filter((i) => /auto-setup|temporalio\/temporal\b/.test(i))).toEqual([]);
    expect(s.temporal.depends_on['temporal-schema'].condition).toBe('service_completed_successfully');
    expect(s.setup.depends_on['temporal-namespace'].condition).toBe('service_completed_successfully');
    expect(s.temporal.entrypoint).toEqual(expect.arrayContaining(['--env', 'production', 'start']));
  });

  it('an explicit, long namespace retention, created by the set-up job', () => {
    const retention = /^\$\{TEMPORAL_RETENTION:-(\d+)d\}$/.exec(s['temporal-namespace'].environment.TEMPORAL_RETENTION)?.[1];
    expect(Number(retention)).toBeGreaterThanOrEqual(365);
    expect(s.api.environment.TEMPORAL_NAMESPACE).toBe(s['temporal-namespace'].environment.TEMPORAL_NAMESPACE);
  });

  it('only the API is published; the UI on loopback, read-only; Postgres and the Temporal frontend internal', () => {
    const published = Object.entries(s).filter(([, svc]) => svc.ports).map(([name, svc]) => [name, svc.ports]);
    expect(published).toEqual([
      ['temporal-ui', ['127.0.0.1:8233:8080']],
      ['api', ['3000:3000']],
    ]);
    expect(s['temporal-ui'].environment.TEMPORAL_DISABLE_WRITE_ACTIONS).toBe('true');
  });

  it('the API and worker connect as the least-privilege role; migrations run as the owner', () => {
    expect(s.api.environment.DATABASE_URL).toMatch(/^postgres:\/\/sanxiang_app:/);
    expect(s.worker.environment.DATABASE_URL).toMatch(/^postgres:\/\/sanxiang_app:/);
    expect(s.setup.environment.DATABASE_URL).toMatch(/^postgres:\/\/sanxiang_owner:/);
    expect(s.api.environment.JWT_SECRET).toMatch(/^\$\{JWT_SECRET:\?/);
    expect(read('deploy/postgres/roles.sql')).toMatch(/ALTER DEFAULT PRIVILEGES FOR ROLE sanxiang_owner/);
  });

  it('the image installs from the lock file and drops dev dependencies; CI installs with npm ci and runs prod-like', () => {
    const dockerfile = read('Dockerfile');
    expect(dockerfile).toMatch(/^RUN npm ci\b/m);
    expect(dockerfile).toMatch(/npm prune --omit=dev/);
    const ci = read('.ci/run');
    expect(ci).toMatch(/^npm ci\b/m);
    expect(ci).not.toMatch(/^npm install\b/m);
    expect(ci).toMatch(/^npm run -s prod-like$/m);
  });
});
