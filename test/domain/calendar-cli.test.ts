import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

function cli(...args: string[]) {
  const run = spawnSync(join(root, 'node_modules', '.bin', 'tsx'), [join(root, 'scripts', 'calendar.ts'), ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('scripts/calendar.ts', () => {
  it('prints a deadline as one JSON line', () => {
    const { status, stdout, stderr } = cli('deadline', '2025-09-30', '7wd');
    expect({ status, stderr }).toEqual({ status: 0, stderr: '' });
    expect(stdout.trimEnd().split('\n')).toHaveLength(1);
    expect(JSON.parse(stdout)).toEqual({
      start: '2025-09-30',
      period: '7wd',
      deadline: '2025-10-16',
      deadlineAt: '2025-10-16T23:59:59+08:00',
      provisional: false,
      extended: false,
    });
  });

  it('honours --no-extend and reports provisional results', () => {
    expect(JSON.parse(cli('deadline', '2020-10-03', '5y', '--no-extend').stdout)).toMatchObject({ deadline: '2025-10-03', extended: false });
    expect(JSON.parse(cli('deadline', '2026-12-25', '7wd').stdout)).toMatchObject({ deadline: '2027-01-05', provisional: true });
  });

  it('classifies a day', () => {
    const { status, stdout } = cli('day', '2025-10-11');
    expect(status).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ date: '2025-10-11', kind: 'adjusted_workday', workday: true, name: '国庆节', published: true });
  });

  it.each([
    [['day', '2025-02-30'], /Invalid date "2025-02-30"/],
    [['deadline', '2025-01-01', '7days'], /Invalid period "7days"/],
    [['holidays'], /unknown command "holidays"/],
    [['deadline', '2025-01-01'], /takes a start date and a period/],
  ])('exits 2 with a one-line reason for %j', (args, reason) => {
    const { status, stdout, stderr } = cli(...args);
    expect(status).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(reason);
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});
