/**
 * Runs the benchmark sections: every scripts/bench-<name>.ts exporting `benchSection`.
 *
 *   npm run bench              all sections
 *   npm run bench -- <name>…   only these
 *
 * Add a section by adding a file; nothing here needs to change.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchSection } from './benchkit';

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
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((name) => !sections.some((s) => s.name === name));
  if (unknown.length) {
    console.error(`bench: unknown section ${unknown.join(', ')}; sections: ${sections.map((s) => s.name).join(', ')}`);
    process.exit(2);
  }
  for (const section of sections.filter((s) => wanted.length === 0 || wanted.includes(s.name))) {
    console.log(`## ${section.name}: ${section.description}`);
    await section.run();
    console.log();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
