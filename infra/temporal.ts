import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { ALL_SEARCH_ATTRIBUTE_KEYS } from '../workflows/search-attributes';

const INDEXED_VALUE_TYPE: Record<string, temporal.api.enums.v1.IndexedValueType> = {
  KEYWORD: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  DATETIME: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  BOOL: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
};

/** Connects, retrying while a freshly started server comes up. */
export async function connectTemporal(address: string, timeoutMs = 60_000): Promise<Connection> {
  const started = Date.now();
  for (;;) {
    try {
      return await Connection.connect({ address, connectTimeout: 2_000 });
    } catch (err) {
      if (Date.now() - started > timeoutMs) throw err;
      await new Promise((r) => setTimeout(r, 300));
    }
  }
}

export function createClient(connection: Connection, namespace: string): Client {
  return new Client({ connection, namespace });
}

/**
 * Registers the custom search attributes through the operator service. Idempotent: attributes that
 * already exist with the right type are left alone; one that exists with another type is an error.
 */
export async function registerSearchAttributes(connection: Connection, namespace: string): Promise<string[]> {
  let custom: Record<string, temporal.api.enums.v1.IndexedValueType> = {};
  // A namespace registered moments ago (a deployment's set-up job) reaches the frontend's namespace
  // cache within seconds: until then it answers NOT_FOUND, so wait for it rather than fail.
  for (const givingUpAt = Date.now() + 60_000; ; ) {
    try {
      custom = (await connection.operatorService.listSearchAttributes({ namespace })).customAttributes ?? {};
      break;
    } catch (err) {
      const code = (err as { code?: number }).code;
      // The Java time-skipping test server cannot list, but can add.
      if (code === 12 /* UNIMPLEMENTED */) break;
      if (code !== 5 /* NOT_FOUND */ || Date.now() > givingUpAt) throw err;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  }
  const missing: Record<string, temporal.api.enums.v1.IndexedValueType> = {};
  for (const key of ALL_SEARCH_ATTRIBUTE_KEYS) {
    const wanted = INDEXED_VALUE_TYPE[key.type];
    if (wanted === undefined) throw new Error(`no indexed type for ${key.type}`);
    const have = custom[key.name];
    if (have === undefined) missing[key.name] = wanted;
    else if (have !== wanted) throw new Error(`search attribute ${key.name} exists with another type (${have}); expected ${key.type}`);
  }
  if (Object.keys(missing).length > 0) {
    try {
      await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: missing });
    } catch (err) {
      // Two processes starting together: the other one registered them first.
      if (!/already exists/i.test(String((err as Error).message))) throw err;
    }
  }
  return Object.keys(missing);
}
