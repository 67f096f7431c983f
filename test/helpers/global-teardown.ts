export default async function globalTeardown(): Promise<void> {
  await (globalThis as any).__SANXIANG_TEST_STOP__?.();
}
