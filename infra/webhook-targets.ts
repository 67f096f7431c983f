/**
 * Where a unit's webhook may point (SSRF): a target that resolves to a loopback, private, link-local,
 * metadata, unspecified, multicast or otherwise reserved address is refused unless the operator's
 * allow-list (WEBHOOK_ALLOWED_HOSTS) names its host; the service's own infrastructure (Temporal,
 * Postgres, the API itself) is refused even then. Checked when the target is set and again when it
 * is delivered to, against the address actually connected to (so DNS rebinding gains nothing).
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import type { Config } from './config';

export type AddressClass = 'public' | 'loopback' | 'private' | 'link-local' | 'metadata' | 'unspecified' | 'multicast' | 'reserved';

const ranges: Array<[AddressClass, string, number, 'ipv4' | 'ipv6']> = [
  ['metadata', '169.254.169.254', 32, 'ipv4'], // cloud instance metadata (AWS, GCP, Azure, OpenStack)
  ['metadata', '100.100.100.200', 32, 'ipv4'], // Alibaba Cloud metadata
  ['metadata', 'fd00:ec2::254', 128, 'ipv6'], // AWS IPv6 metadata
  ['unspecified', '0.0.0.0', 8, 'ipv4'],
  ['loopback', '127.0.0.0', 8, 'ipv4'],
  ['private', '10.0.0.0', 8, 'ipv4'],
  ['private', '172.16.0.0', 12, 'ipv4'],
  ['private', '192.168.0.0', 16, 'ipv4'],
  ['private', '100.64.0.0', 10, 'ipv4'], // carrier-grade NAT
  ['link-local', '169.254.0.0', 16, 'ipv4'],
  ['reserved', '192.0.0.0', 24, 'ipv4'],
  ['reserved', '192.0.2.0', 24, 'ipv4'],
  ['reserved', '198.18.0.0', 15, 'ipv4'],
  ['reserved', '198.51.100.0', 24, 'ipv4'],
  ['reserved', '203.0.113.0', 24, 'ipv4'],
  ['multicast', '224.0.0.0', 4, 'ipv4'],
  ['reserved', '240.0.0.0', 4, 'ipv4'], // incl. 255.255.255.255
  ['unspecified', '::', 128, 'ipv6'],
  ['loopback', '::1', 128, 'ipv6'],
  ['private', 'fc00::', 7, 'ipv6'], // unique local
  ['link-local', 'fe80::', 10, 'ipv6'],
  ['multicast', 'ff00::', 8, 'ipv6'],
  ['reserved', '2001:db8::', 32, 'ipv6'],
  ['reserved', '64:ff9b::', 96, 'ipv6'], // NAT64 (may reach private IPv4)
  ['reserved', '2002::', 16, 'ipv6'], // 6to4 (embeds an IPv4 address)
];
const lists = new Map<AddressClass, BlockList>();
for (const [cls, net, prefix, type] of ranges) {
  if (!lists.has(cls)) lists.set(cls, new BlockList());
  lists.get(cls)!.addSubnet(net, prefix, type);
}
const ORDER: AddressClass[] = ['metadata', 'unspecified', 'loopback', 'private', 'link-local', 'multicast', 'reserved'];

/** The class of one IP address (IPv4-mapped IPv6 addresses are judged as their IPv4 address). */
export function classifyAddress(address: string): AddressClass {
  let a = address.trim().replace(/^\[|\]$/g, '').toLowerCase();
  const zone = a.indexOf('%');
  if (zone >= 0) a = a.slice(0, zone);
  const mapped = /^::ffff:(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/.exec(a);
  if (mapped) a = mapped[1]!;
  const hexMapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(a);
  if (hexMapped) {
    const hi = parseInt(hexMapped[1]!, 16);
    const lo = parseInt(hexMapped[2]!, 16);
    a = `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  const type = isIP(a);
  if (type === 0) return 'reserved';
  for (const cls of ORDER) if (lists.get(cls)!.check(a, type === 4 ? 'ipv4' : 'ipv6')) return cls;
  return 'public';
}

export interface WebhookTargetPolicy {
  /** host names / addresses the operator allows even when internal (lower case) */
  allowedHosts: readonly string[];
  /** host:port pairs never allowed: the service's own Temporal, Postgres and API */
  internalEndpoints: readonly string[];
}

export class WebhookTargetRefused extends Error {
  override name = 'WebhookTargetRefused';
}

const normalHost = (h: string) => h.trim().toLowerCase().replace(/^\[|\]$/g, '');

function endpointKey(host: string, port: string | number): string {
  const h = normalHost(host);
  const loop = h === 'localhost' || classifyAddress(h) === 'loopback' || classifyAddress(h) === 'unspecified';
  return `${loop ? 'loopback' : h}:${port}`;
}

/** The service's own endpoints, from its configuration (refused as webhook targets). */
export function internalEndpointsOf(c: { TEMPORAL_ADDRESS?: string; DATABASE_URL?: string; PORT: number; TEMPORAL_DEV_PORT: number; TEMPORAL_UI_PORT: number; EMBEDDED_PG_PORT: number }, extra: string[] = []): string[] {
  const out = [`loopback:${c.PORT}`, `loopback:${c.TEMPORAL_DEV_PORT}`, `loopback:${c.TEMPORAL_UI_PORT}`, `loopback:${c.EMBEDDED_PG_PORT}`];
  for (const address of [c.TEMPORAL_ADDRESS, ...extra]) {
    const m = address && /^\[?([^\]]+?)\]?:(\d+)$/.exec(address);
    if (m) out.push(endpointKey(m[1]!, m[2]!));
  }
  if (c.DATABASE_URL) {
    try {
      const u = new URL(c.DATABASE_URL);
      out.push(endpointKey(u.hostname, u.port || 5432));
    } catch {
      // not a URL: config validation already said so
    }
  }
  return out;
}

function parse(url: string): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new WebhookTargetRefused('not a URL');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new WebhookTargetRefused('only http(s) targets');
  if (u.username || u.password) throw new WebhookTargetRefused('no credentials in the URL');
  return u;
}

const portOf = (u: URL) => u.port || (u.protocol === 'https:' ? '443' : '80');

/** Whether one resolved address may be connected to for this host. */
export function addressAllowed(policy: WebhookTargetPolicy, host: string, address: string, port: string | number): string | undefined {
  if (policy.internalEndpoints.includes(endpointKey(address, port)) || policy.internalEndpoints.includes(endpointKey(host, port))) {
    return `${normalHost(host)}:${port} is one of the service's own endpoints`;
  }
  const cls = classifyAddress(address);
  if (cls === 'public') return undefined;
  if (policy.allowedHosts.includes(normalHost(host))) return undefined;
  return `${normalHost(host)} resolves to a ${cls} address (${address}); WEBHOOK_ALLOWED_HOSTS does not name it`;
}

export type Resolver = (host: string) => Promise<string[]>;
export const systemResolver: Resolver = (host) =>
  new Promise((resolve, reject) => dnsLookup(host, { all: true }, (err, addresses: LookupAddress[]) => (err ? reject(err) : resolve(addresses.map((a) => a.address)))));

/** Refuses a target (when it is set) whose host resolves to any address the policy does not allow. */
export async function assertWebhookTarget(url: string, policy: WebhookTargetPolicy, resolve: Resolver = systemResolver): Promise<URL> {
  const u = parse(url);
  const host = normalHost(u.hostname);
  let addresses: string[];
  if (isIP(host)) addresses = [host];
  else {
    try {
      addresses = await resolve(host);
    } catch {
      throw new WebhookTargetRefused(`${host} does not resolve`);
    }
  }
  if (addresses.length === 0) throw new WebhookTargetRefused(`${host} does not resolve`);
  for (const a of addresses) {
    const why = addressAllowed(policy, host, a, portOf(u));
    if (why) throw new WebhookTargetRefused(why);
  }
  return u;
}

/**
 * A `lookup` for node:http that lets the connection go only to an allowed address: the check at
 * delivery time is made on the very address connected to.
 */
export function guardedLookup(policy: WebhookTargetPolicy, port: string): (hostname: string, options: any, callback: (...args: any[]) => void) => void {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err);
      for (const a of addresses) {
        const why = addressAllowed(policy, hostname, a.address, port);
        if (why) return callback(new WebhookTargetRefused(why));
      }
      if (options?.all) return callback(null, addresses);
      callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}

export const webhookPolicyTarget = { portOf, parse, normalHost };

/** The policy from the configuration: WEBHOOK_ALLOWED_HOSTS and the service's own endpoints. */
export function webhookPolicy(config: Pick<Config, 'WEBHOOK_ALLOWED_HOSTS' | 'TEMPORAL_ADDRESS' | 'DATABASE_URL' | 'PORT' | 'TEMPORAL_DEV_PORT' | 'TEMPORAL_UI_PORT' | 'EMBEDDED_PG_PORT'>, extraInternal: string[] = []): WebhookTargetPolicy {
  return { allowedHosts: config.WEBHOOK_ALLOWED_HOSTS.map(normalHost), internalEndpoints: internalEndpointsOf(config, extraInternal) };
}
