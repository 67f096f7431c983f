/**
 * Prints `jest: <N> passed, <M> failed, <K> skipped` (counts of tests) alone on a line as the very
 * last line of every jest run, and writes the same line to `.data/test-summary.txt`, so that CI
 * recognises the outcome without parsing jest's own footer.
 *
 * The line is printed when the process exits, after jest's summary, the global teardown's output
 * and any "did not exit" warning. A test file that could not run at all (a syntax error, a failing
 * beforeAll) reports no failed test to jest; it counts here as one failed test, so the line never
 * says `0 failed` for a broken run. A run that never reaches its tests (global setup failed) prints
 * no line and leaves no file.
 */
const fs = require('node:fs');
const path = require('node:path');

function summaryLine(results) {
  let failed = results.numFailedTests;
  for (const file of results.testResults) {
    if (file.numFailingTests === 0 && (file.testExecError || file.failureMessage)) failed += 1;
  }
  const skipped = results.numPendingTests + results.numTodoTests;
  return `jest: ${results.numPassedTests} passed, ${failed} failed, ${skipped} skipped`;
}

class PlainSummaryReporter {
  constructor(globalConfig) {
    this.file = path.join((globalConfig && globalConfig.rootDir) || process.cwd(), '.data', 'test-summary.txt');
    this.line = undefined;
    try {
      fs.rmSync(this.file, { force: true }); // a stale line from an earlier run must not stand for this one
    } catch {}
  }

  onRunComplete(_contexts, results) {
    const first = this.line === undefined;
    this.line = summaryLine(results);
    try {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      fs.writeFileSync(this.file, `${this.line}\n`);
    } catch (error) {
      process.stderr.write(`plain-summary-reporter: could not write ${this.file}: ${error.message}\n`);
    }
    if (first) process.on('exit', () => fs.writeSync(1, `\n${this.line}\n`));
  }
}

module.exports = PlainSummaryReporter;
module.exports.summaryLine = summaryLine;
