/** What a benchmark section is, and the small tools sections share. Sections print, never assert. */

export interface BenchSection {
  /** Short name, used to run one section: `npm run bench -- <name>`. */
  name: string;
  description: string;
  /** Not part of a plain `npm run bench` (run it by name): too slow or a special setup. */
  onlyByName?: boolean;
  run(): void | Promise<void>;
}

/**
 * One measured figure (issue 15): `value` against `baseline` measured in the same run; `ratio` is
 * value / baseline; `target` says in words what must hold; `holds` is the honest comparison.
 * `name` starts with its target's word: start…, action…, open…, history…, calendar…, list…, suite….
 */
export interface Figure {
  name: string;
  value: number;
  unit: string;
  baseline: number | null;
  ratio: number | null;
  target: string;
  holds: boolean | null;
}

/** `npm run bench -- --json`: one JSON object per line and figure on stdout, everything else on stderr. */
export const jsonMode = process.argv.includes('--json');
/** Flags given after `npm run bench --` (e.g. --small, --run-suite). */
export const flags = new Set(process.argv.slice(2).filter((a) => a.startsWith('--')));

const figures: Figure[] = [];

/** Free text: stdout in the readable mode, stderr in JSON mode (so stdout stays one figure a line). */
export function note(text: string): void {
  if (jsonMode) process.stderr.write(text + '\n');
  else console.log(text);
}

const round = (n: number | null) => (n === null || !Number.isFinite(n) ? n : Number(n.toPrecision(4)));

export function report(figure: Omit<Figure, 'ratio'> & { ratio?: number | null }): Figure {
  const ratio = figure.ratio !== undefined ? figure.ratio : figure.baseline ? figure.value / figure.baseline : null;
  const f: Figure = { name: figure.name, value: round(figure.value)!, unit: figure.unit, baseline: round(figure.baseline), ratio: round(ratio), target: figure.target, holds: figure.holds };
  figures.push(f);
  if (jsonMode) process.stdout.write(JSON.stringify(f) + '\n');
  else console.log(formatRow(f));
  return f;
}

function formatRow(f: Figure): string {
  const holds = f.holds === null ? '  –  ' : f.holds ? ' yes ' : ' NO  ';
  return `${f.name.padEnd(44)} ${String(f.value).padStart(10)} ${f.unit.padEnd(8)} ${String(f.baseline ?? '–').padStart(10)} ${String(f.ratio ?? '–').padStart(7)} ${holds} ${f.target}`;
}

export function tableHeader(): string {
  return `${'figure'.padEnd(44)} ${'value'.padStart(10)} ${'unit'.padEnd(8)} ${'baseline'.padStart(10)} ${'ratio'.padStart(7)} holds  target`;
}

/** All figures reported so far (the summary at the end of a run). */
export function reportedFigures(): readonly Figure[] {
  return figures;
}

export function formatTable(list: readonly Figure[]): string {
  return [tableHeader(), ...list.map(formatRow)].join('\n');
}

/** Percentile (nearest rank) of samples, e.g. 0.95. */
export function percentile(samples: number[], p: number): number {
  if (!samples.length) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(sorted.length * p) - 1))]!;
}

/**
 * Runs `op` `total` times with `concurrency` in flight; returns each call's latency (ms) and the
 * completed operations per second over the whole run.
 */
export async function closedLoop(total: number, concurrency: number, op: (i: number) => Promise<void>): Promise<{ latencies: number[]; perSecond: number }> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++;
        const t = performance.now();
        await op(i);
        latencies.push(performance.now() - t);
      }
    }),
  );
  return { latencies, perSecond: total / ((performance.now() - started) / 1000) };
}

/** mulberry32: a tiny seeded PRNG, so every run benchmarks the same inputs. Returns [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Sink for benchmark results, so the optimiser cannot drop the measured work. */
export let blackhole = 0;
export function consume(value: string | number | boolean): void {
  blackhole = (blackhole + (typeof value === 'string' ? value.length : Number(value))) | 0;
}

/**
 * Operations per second of `pass` (which performs `opsPerPass` operations), after `warmupPasses`
 * unmeasured passes, repeating until at least `minMs` have been measured.
 */
export function measureRate(pass: () => void, opsPerPass: number, { warmupPasses = 3, minMs = 500 } = {}): number {
  for (let i = 0; i < warmupPasses; i++) pass();
  let passes = 0;
  const started = process.hrtime.bigint();
  let elapsedNs = 0n;
  do {
    pass();
    passes++;
    elapsedNs = process.hrtime.bigint() - started;
  } while (elapsedNs < BigInt(minMs) * 1_000_000n);
  return (passes * opsPerPass) / (Number(elapsedNs) / 1e9);
}

export function formatRate(perSecond: number): string {
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(2)}M/s`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(1)}k/s`;
  return `${perSecond.toFixed(0)}/s`;
}
