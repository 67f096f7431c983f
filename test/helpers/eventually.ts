/** Polls until `probe` returns something truthy (state a workflow reaches asynchronously). */
export async function eventually<T>(probe: () => Promise<T | undefined | false | null>, what = 'condition', timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
