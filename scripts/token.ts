/**
 * Prints only a token: npm run -s token -- --unit <code> --roles <r1,r2> [--person <id>] [--expires 1h]
 * Signed with JWT_SECRET (default: the local development secret); exactly the roles asked for,
 * audience sanxiang-api, 1 hour unless --expires says otherwise (at most 7 days).
 */
import { parseArgs } from 'node:util';
import { DEMO_PERSON_ID, ROLES, signToken, type Role } from '../api/auth';
import { loadConfig } from '../infra/config';

async function main() {
  const { values } = parseArgs({
    options: { unit: { type: 'string' }, roles: { type: 'string' }, person: { type: 'string' }, expires: { type: 'string' } },
    strict: true,
  });
  if (!values.unit || !/^[a-z0-9]+(\.[a-z0-9]+)*$/.test(values.unit)) throw new Error('--unit <code> is required, e.g. benxi.ybj');
  const roles = (values.roles ?? '').split(',').map((r) => r.trim()).filter(Boolean);
  if (roles.length === 0) throw new Error(`--roles is required: one or more of ${ROLES.join(',')}`);
  const unknown = roles.filter((r) => !(ROLES as readonly string[]).includes(r));
  if (unknown.length) throw new Error(`unknown role ${unknown.join(',')}; roles are ${ROLES.join(',')}`);
  const config = loadConfig();
  process.stdout.write(
    (await signToken(config.JWT_SECRET, { personId: values.person ?? DEMO_PERSON_ID, unit: values.unit, roles: roles as Role[] }, values.expires ?? '1h')) + '\n',
  );
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(2);
});
