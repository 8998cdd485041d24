/**
 * Which addresses a check may connect to. Cloud metadata endpoints are never checked; with
 * VIGIL_BLOCK_PRIVATE_TARGETS, private, loopback, link-local and special-purpose ranges (multicast,
 * reserved, benchmarking) are refused too. An IPv6 address that carries an IPv4 one is judged as
 * that IPv4 address, so no spelling of a refused address gets through. The test
 * is on the address a name resolves to, at connect time (through the socket's `lookup`), so a
 * DNS name pointing at a refused address gets no further than an address literal would.
 */
import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from 'node:dns';
import { BlockList, isIP } from 'node:net';

export class TargetRefusedError extends Error {}

// Cloud credential endpoints: the whole link-local range (AWS, GCP, Azure IMDS, ECS, EKS Pod
// Identity, Tencent), Azure's WireServer, Alibaba's, Oracle's, and AWS's IPv6 addresses.
const METADATA = new BlockList();
METADATA.addSubnet('169.254.0.0', 16);
for (const a of ['168.63.129.16', '100.100.100.200', '192.0.0.192']) METADATA.addAddress(a);
METADATA.addSubnet('fd00:ec2::', 32, 'ipv6');
METADATA.addSubnet('fe80::', 10, 'ipv6');

const PRIVATE = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
] as const) {
  PRIVATE.addSubnet(net, bits);
}
for (const [net, bits] of [
  ['::1', 128],
  ['::', 128],
  ['fc00::', 7],
  ['fe80::', 10],
] as const) {
  PRIVATE.addSubnet(net, bits, 'ipv6');
}

// Special-purpose ranges (RFC 6890): nothing a check should reach, and some (multicast, the
// protocol assignments) reach every machine on a local network at once.
const SPECIAL = new BlockList();
for (const [net, bits] of [
  ['192.0.0.0', 24],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  SPECIAL.addSubnet(net, bits);
}
SPECIAL.addSubnet('ff00::', 8, 'ipv6');

/** Why an address may not be checked, or undefined when it may. */
export function refusal(address: string, blockPrivate: boolean): string | undefined {
  const bare = address.replace(/%.*$/, '');
  const v4 = isIP(bare) === 6 ? embeddedIpv4(bare) : undefined;
  const ip = v4 ?? bare;
  const family = isIP(ip) === 6 ? 'ipv6' : 'ipv4';
  const shown = v4 ? `${address} (${v4})` : address;
  if (METADATA.check(ip, family)) {
    return `${shown} is a cloud metadata address; Vigil never connects there.`;
  }
  if (!blockPrivate) return undefined;
  if (PRIVATE.check(ip, family)) {
    return `${shown} is a private, loopback or link-local address, refused because VIGIL_BLOCK_PRIVATE_TARGETS is true.`;
  }
  if (SPECIAL.check(ip, family)) {
    return `${shown} is a special-purpose address (multicast, reserved, benchmarking or protocol assignment), refused because VIGIL_BLOCK_PRIVATE_TARGETS is true.`;
  }
  return undefined;
}

/** The 16 bytes of an IPv6 address (with or without a dotted IPv4 tail). */
function ipv6Bytes(address: string): number[] | undefined {
  let text = address.toLowerCase();
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const part = (s: string | undefined) => (s ? s.split(':') : []);
  const left = part(head);
  const right = part(tail);
  const groups =
    tail === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  if (groups.length !== 8) return undefined;
  return groups.flatMap((g) => {
    const n = Number.parseInt(g, 16);
    return [n >> 8, n & 255];
  });
}

const zero = (bytes: number[]) => bytes.every((b) => b === 0);

/**
 * The IPv4 address an IPv6 address carries, where a packet to it may reach that IPv4 address:
 * IPv4-mapped (::ffff:0:0/96), IPv4-translated (::ffff:0:0:0/96), IPv4-compatible (::/96, which
 * some stacks still route as IPv4), NAT64 (64:ff9b::/96 and 64:ff9b:1::/48) and 6to4 (2002::/16).
 */
function embeddedIpv4(address: string): string | undefined {
  const b = ipv6Bytes(address);
  if (!b) return undefined;
  const at = (from: number) => b.slice(from, from + 4).join('.');
  const prefix = (hex: number[]) => hex.every((v, i) => b[i] === v);
  if (zero(b.slice(0, 10)) && b[10] === 255 && b[11] === 255) return at(12);
  if (zero(b.slice(0, 8)) && b[8] === 255 && b[9] === 255 && zero(b.slice(10, 12))) return at(12);
  // :: and ::1 are IPv6's own unspecified and loopback addresses, judged as such.
  if (zero(b.slice(0, 12)) && !(zero(b.slice(12, 15)) && (b[15] as number) <= 1)) return at(12);
  if (prefix([0, 0x64, 0xff, 0x9b]) && zero(b.slice(4, 12))) return at(12);
  if (prefix([0, 0x64, 0xff, 0x9b, 0, 1])) return at(12);
  if (prefix([0x20, 0x02])) return at(2);
  return undefined;
}

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/** A `lookup` for sockets that refuses addresses the policy forbids. */
export function guardedLookup(blockPrivate: boolean) {
  return (hostname: string, options: object, callback: LookupCallback): void => {
    dnsLookup(hostname, { ...(options as LookupAllOptions), all: true }, (err, addresses) => {
      if (err) return callback(err, '');
      const list = addresses as LookupAddress[];
      for (const a of list) {
        const reason = refusal(a.address, blockPrivate);
        if (reason) return callback(new TargetRefusedError(`${hostname} resolves to ${reason}`), '');
      }
      if ((options as LookupAllOptions).all) return callback(null, list);
      const first = list[0];
      if (!first) return callback(new Error(`${hostname} has no address`), '');
      callback(null, first.address, first.family);
    });
  };
}

/** Refuses an address literal up front: sockets do not look literals up, so the lookup never sees them. */
export function checkLiteral(host: string, blockPrivate: boolean): void {
  const bare = host.replace(/^\[|\]$/g, '');
  if (!isIP(bare)) return;
  const reason = refusal(bare, blockPrivate);
  if (reason) throw new TargetRefusedError(reason);
}
