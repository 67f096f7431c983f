import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { verifyToken } from '../../api/auth';
import { ConfigError, LOCAL_JWT_SECRET, loadConfig } from '../../infra/config';

const exec = promisify(execFile);
const root = path.resolve(__dirname, '..', '..');
const tsx = path.join(root, 'node_modules', '.bin', 'tsx');

describe('configuration', () => {
  it('defaults to the embedded services when DATABASE_URL / TEMPORAL_ADDRESS are unset', () => {
    const config = loadConfig({});
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.TEMPORAL_ADDRESS).toBeUndefined();
    expect(config.PORT).toBe(3000);
    expect(config.TEMPORAL_UI_PORT).toBe(8233);
  });

  it.each([
    ['PORT', { PORT: 'eighty' }],
    ['DATABASE_URL', { DATABASE_URL: 'mysql://x' }],
    ['TEMPORAL_ADDRESS', { TEMPORAL_ADDRESS: 'no-port' }],
    ['JWT_SECRET', { JWT_SECRET: 'short' }],
    ['LOG_LEVEL', { LOG_LEVEL: 'loud' }],
    ['JWT_SECRET', { NODE_ENV: 'production' }],
  ])('a bad %s stops start-up with a message naming it', (name, env) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(`^Invalid configuration:\\n  ${name}:`));
  });

  it('the service refuses to start on a bad value, naming the variable', async () => {
    await expect(exec(tsx, ['scripts/start.ts'], { cwd: root, env: { ...process.env, PORT: '70000' } })).rejects.toMatchObject({
      stderr: expect.stringContaining('PORT:'),
    });
  });
});

describe('npm run -s token', () => {
  it('prints only a token valid for the local default secret', async () => {
    const { stdout } = await exec('npm', ['run', '-s', 'token', '--', '--unit', 'benxi.sfj', '--roles', 'supervisor,admin', '--person', 'p-42'], { cwd: root, env: { ...process.env, JWT_SECRET: '' } });
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(await verifyToken(LOCAL_JWT_SECRET, lines[0]!)).toEqual({ personId: 'p-42', unit: 'benxi.sfj', roles: ['supervisor', 'admin'] });
  });

  it('refuses an unknown role', async () => {
    await expect(exec(tsx, ['scripts/token.ts', '--unit', 'benxi.ybj', '--roles', 'king'], { cwd: root })).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('unknown role king') });
  });
});
