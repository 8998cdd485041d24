/**
 * Every kind of check, by type: adding one is its file here, one line below, and its probe, a file
 * of the same name in providers/embedded/checks/probes/. `api` is a `web` check under Pingera's
 * other name.
 */
import { dns } from './dns.js';
import { icmp } from './icmp.js';
import { multistep } from './multistep.js';
import type { CheckKind } from './shared.js';
import { ssl } from './ssl.js';
import { synthetic } from './synthetic.js';
import { tcp } from './tcp.js';
import { web } from './web.js';

export const CHECK_KINDS = { web, api: web, ssl, tcp, dns, icmp, multistep, synthetic } as const;

export type CheckType = keyof typeof CHECK_KINDS;
export const CHECK_TYPES = Object.keys(CHECK_KINDS) as [CheckType, ...CheckType[]];

/** The kind of a type, for code that holds a type only as a value. */
export function kindOf(type: CheckType): CheckKind {
  return CHECK_KINDS[type] as CheckKind;
}
