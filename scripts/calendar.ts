/**
 * Working-day calendar and statutory deadlines from the bundled official data (no service needed).
 *
 *   npm run -s calendar -- deadline <YYYY-MM-DD> <period> [--no-extend]
 *   npm run -s calendar -- day <YYYY-MM-DD>
 *
 * Prints one JSON object on one line. Bad arguments: exit 2 with a one-line reason on stderr.
 */
import { officialCalendar } from '../domain/official-calendar';
import { computeDeadline } from '../domain/periods';

const USAGE = 'usage: calendar deadline <YYYY-MM-DD> <period e.g. 7wd|15d|3m|5y> [--no-extend] | calendar day <YYYY-MM-DD>';

class UsageError extends Error {}

function run(args: string[]): object {
  const flags = args.filter((a) => a.startsWith('--'));
  const [command, ...operands] = args.filter((a) => !a.startsWith('--'));
  const allowedFlags = command === 'deadline' ? ['--no-extend'] : [];
  const unknownFlag = flags.find((f) => !allowedFlags.includes(f));
  if (unknownFlag !== undefined) throw new UsageError(`unknown option ${unknownFlag}`);

  const calendar = officialCalendar();
  switch (command) {
    case 'deadline': {
      if (operands.length !== 2) throw new UsageError('deadline takes a start date and a period');
      const [start, period] = operands as [string, string];
      const result = computeDeadline(calendar, start, period, { extend: !flags.includes('--no-extend') });
      return {
        start: result.start,
        period: result.period,
        deadline: result.lastDay,
        deadlineAt: result.deadline,
        provisional: result.provisional,
        extended: result.extended,
      };
    }
    case 'day': {
      if (operands.length !== 1) throw new UsageError('day takes one date');
      return calendar.dayInfo(operands[0]!);
    }
    case undefined:
      throw new UsageError('missing command');
    default:
      throw new UsageError(`unknown command ${JSON.stringify(command)}`);
  }
}

const args = process.argv.slice(2);
try {
  if (args.includes('--help') || args[0] === 'help') console.log(USAGE);
  else console.log(JSON.stringify(run(args)));
} catch (err) {
  // Bad input from the domain arrives as RangeError ("Invalid date …", "Invalid period …").
  if (!(err instanceof UsageError || err instanceof RangeError)) throw err;
  console.error(`calendar: ${err.message}${err instanceof UsageError ? ` (${USAGE})` : ''}`);
  process.exitCode = 2;
}
