import path from 'node:path';
import proto from '@temporalio/proto';
import { patchProtobufRoot } from '@temporalio/proto/lib/patch-protobuf-root';

type History = proto.temporal.api.history.v1.IHistory;
interface ProtoJson {
  toJson(type: unknown, message: unknown): unknown;
  fromJson(type: unknown, json: unknown, options?: { ignoreUnknownFields?: boolean }): unknown;
}

/*
 * History files in the format Temporal's tools write (proto3 JSON). The SDK's historyToJSON and
 * historyFromJSON fail in this install ("type must be a Type"): @temporalio/common resolves its own
 * copy of protobufjs, whose protojson refuses a Type built by the copy @temporalio/proto uses. So the
 * protojson of that same copy is used here.
 */
const protojson: ProtoJson = require(require.resolve('protobufjs/ext/protojson', { paths: [path.dirname(require.resolve('@temporalio/proto'))] }));
const historyType = (patchProtobufRoot(proto) as unknown as { lookupType(name: string): unknown }).lookupType('temporal.api.history.v1.History');

export function historyToJson(history: History): string {
  return JSON.stringify(protojson.toJson(historyType, proto.temporal.api.history.v1.History.fromObject(history)), null, 2);
}

/** A History message (event ids as Long), which Worker.runReplayHistories takes as it is. */
export function historyFromJson(json: unknown): History {
  const history = protojson.fromJson(historyType, json, { ignoreUnknownFields: true }) as History | null;
  if (!history?.events?.length) throw new TypeError('not a workflow history (no events)');
  return history;
}
