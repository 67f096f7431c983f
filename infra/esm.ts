/**
 * Loads an ESM-only package from CommonJS code. A literal `import()` would be rewritten to
 * `require()` by the TypeScript/swc CommonJS output, which cannot load these packages.
 */
export const importEsm = new Function('specifier', 'return import(specifier)') as <T = any>(specifier: string) => Promise<T>;
