/**
 * Which addresses a check may connect to. Cloud metadata endpoints are never checked; with
 * VIGIL_BLOCK_PRIVATE_TARGETS, private, loopback and link-local ranges are refused too. The test
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

/** Why an address may not be checked, or undefined when it may. */
export function refusal(address: string, blockPrivate: boolean): string | undefined {
  const ip = embeddedIpv4(address) ?? address;
  const family = isIP(ip) === 6 ? 'ipv6' : 'ipv4';
  if (METADATA.check(ip, family)) {
    return `${address} is a cloud metadata address; Vigil never connects there.`;
  }
  if (blockPrivate && PRIVATE.check(ip, family)) {
    return `${address} is a private, loopback or link-local address, refused because VIGIL_BLOCK_PRIVATE_TARGETS is true.`;
  }
  return undefined;
}

/** The IPv4 address inside an IPv4-mapped, IPv4-translated or NAT64 IPv6 address. */
function embeddedIpv4(address: string): string | undefined {
  const dotted = /^(?:::ffff:(?:0:)?|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (dotted) return dotted;
  const hex = /^(?:::ffff:(?:0:)?|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (!hex) return undefined;
  const hi = Number.parseInt(hex[1] as string, 16);
  const lo = Number.parseInt(hex[2] as string, 16);
  return [hi >> 8, hi & 255, lo >> 8, lo & 255].join('.');
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
