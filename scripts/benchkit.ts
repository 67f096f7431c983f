/** What a benchmark section is, and the small tools sections share. Sections print, never assert. */

export interface BenchSection {
  /** Short name, used to run one section: `npm run bench -- <name>`. */
  name: string;
  description: string;
  run(): void | Promise<void>;
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
