/**
 * What every probe gets besides its target: the moment it must give up, the address policy, and
 * the browser of synthetic checks (shared by every run of the process).
 */
import type { SyntheticBrowser } from '../synthetic/browser.js';

export interface ProbeEnv {
  /** Epoch milliseconds by which the probe must have answered. */
  deadline: number;
  blockPrivate: boolean;
  browser?: SyntheticBrowser | undefined;
}

/** `{{NAME}}` in text replaced by the variable's value (secrets, extracted values). */
export function substitute(text: string, variables: Record<string, string> | undefined): string {
  if (!variables) return text;
  return text.replace(/\{\{\s*([A-Za-z_]\w*)\s*\}\}/g, (whole, name: string) => variables[name] ?? whole);
}
