/**
 * Where a contact method or alert channel may send, checked when it is saved: a URL whose host is
 * an address literal Vigil never connects to (cloud metadata) is refused there, naming the field.
 * The senders check again at connect time (engine/channels/http.ts), on the resolved address.
 */
import { CHANNEL_KINDS, type ChannelKindName } from '../../../core/channels.js';
import { ValidationError } from '../../../core/errors.js';
import { checkLiteral } from '../checks/target-guard.js';

/** Throws ValidationError for `parameter` when `address` (of a URL kind) names a refused host. */
export function checkChannelTarget(kind: ChannelKindName, address: string, parameter: string): void {
  if (CHANNEL_KINDS[kind].address !== 'url') return;
  try {
    checkLiteral(new URL(address).hostname, false);
  } catch (err) {
    throw new ValidationError(`${parameter} '${address}' is refused: ${(err as Error).message}`, {
      parameter,
    });
  }
}
