import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { temporalCliPath } from './tools';

export interface DevServerHandle {
  address: string;
  uiUrl?: string;
  stop(): Promise<void>;
}

/**
 * Runs the Temporal CLI dev server (with its Web UI) from the cached CLI. Without a cached CLI it
 * falls back to the SDK's own download (needs internet). `dbFile` keeps workflows across restarts.
 */
export async function startTemporalDevServer(opts: {
  port: number;
  uiPort?: number;
  dbFile?: string;
  namespace: string;
  log?: (msg: string) => void;
  /** Server dynamic configuration (`--dynamic-config-value key=<JSON>`), e.g. the tests' shorter queue ack intervals. */
  dynamicConfig?: Record<string, unknown>;
}): Promise<DevServerHandle> {
  const cli = temporalCliPath();
  if (!cli) return startWithSdkDownload(opts);
  if (opts.dbFile) fs.mkdirSync(path.dirname(path.resolve(opts.dbFile)), { recursive: true });
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(opts.port), '--namespace', opts.namespace, '--log-level', 'warn'];
  if (opts.uiPort) args.push('--ui-port', String(opts.uiPort));
  else args.push('--headless');
  if (opts.dbFile) args.push('--db-filename', path.resolve(opts.dbFile));
  args.push(...dynamicConfigArgs(opts.dynamicConfig));
  const child = spawn(cli, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const collect = (b: Buffer) => {
    output.push(b.toString());
    if (output.length > 50) output.shift();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  await waitForPort(opts.port, 60_000, child, () => output.join(''));
  return {
    address: `127.0.0.1:${opts.port}`,
    uiUrl: opts.uiPort ? `http://localhost:${opts.uiPort}` : undefined,
    stop: () => stopChild(child),
  };
}

const dynamicConfigArgs = (values: Record<string, unknown> = {}) =>
  Object.entries(values).flatMap(([key, value]) => ['--dynamic-config-value', `${key}=${JSON.stringify(value)}`]);

async function startWithSdkDownload(opts: { port: number; uiPort?: number; dbFile?: string; namespace: string; log?: (m: string) => void; dynamicConfig?: Record<string, unknown> }): Promise<DevServerHandle> {
  opts.log?.('no cached Temporal CLI: letting the SDK download the dev server');
  const { TestWorkflowEnvironment } = await import('@temporalio/testing');
  const env = await TestWorkflowEnvironment.createLocal({
    server: { ip: '127.0.0.1', port: opts.port, ui: !!opts.uiPort, uiPort: opts.uiPort, dbFilename: opts.dbFile, namespace: opts.namespace, extraArgs: dynamicConfigArgs(opts.dynamicConfig) },
  });
  return { address: `127.0.0.1:${opts.port}`, uiUrl: opts.uiPort ? `http://localhost:${opts.uiPort}` : undefined, stop: () => env.teardown() };
}

export function waitForPort(port: number, timeoutMs: number, child?: ChildProcess, describe?: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      if (child && child.exitCode !== null) {
        reject(new Error(`process exited with ${child.exitCode} before listening on ${port}:\n${describe?.() ?? ''}`));
        return;
      }
      const socket = net.connect({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`nothing listening on ${port} after ${timeoutMs} ms\n${describe?.() ?? ''}`));
        else setTimeout(attempt, 150);
      });
    };
    attempt();
  });
}

export function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}
