/**
 * Runs the benchmark sections: every scripts/bench-<name>.ts exporting `benchSection`.
 *
 *   npm run bench                     all sections (except those run only by name), readable table
 *   npm run bench -- <name>…          only these
 *   npm run bench -- --json [name…]   one JSON object per figure and line on stdout (notes on stderr)
 *   flags: --small (open: 1,000 + 1,000 instead of 10,000 + 10,000), --run-suite (suite: run npm test first)
 *
 * Add a section by adding a file; nothing here needs to change.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { formatTable, jsonMode, note, reportedFigures, type BenchSection } from './benchkit';

function discoverSections(): BenchSection[] {
  return readdirSync(__dirname)
    .filter((file) => /^bench-[\w-]+\.ts$/.test(file))
    .sort()
    .map((file) => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const section = (require(join(__dirname, file)) as { benchSection?: BenchSection }).benchSection;
      if (!section) throw new Error(`${file} does not export benchSection`);
      return section;
    });
}

async function main(): Promise<void> {
  const sections = discoverSections();
  const wanted = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const unknown = wanted.filter((name) => !sections.some((s) => s.name === name));
  if (unknown.length) {
    console.error(`bench: unknown section ${unknown.join(', ')}; sections: ${sections.map((s) => s.name).join(', ')}`);
    process.exit(2);
  }
  const started = Date.now();
  for (const section of sections.filter((s) => (wanted.length === 0 ? !s.onlyByName : wanted.includes(s.name)))) {
    note(`## ${section.name}: ${section.description}`);
    const t = Date.now();
    await section.run();
    note(`(${section.name}: ${((Date.now() - t) / 1000).toFixed(0)} s)\n`);
  }
  if (!jsonMode && reportedFigures().length) {
    console.log(`## summary (${((Date.now() - started) / 1000).toFixed(0)} s)`);
    console.log(formatTable(reportedFigures()));
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
