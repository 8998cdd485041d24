/**
 * What a channel sender is: it sends one message to one address and throws on failure;
 * retrying is the outbox's. Each kind's sender is one file beside this one.
 */

/** One message, ready for every kind of channel. */
export interface Outgoing {
  /** The delivery's id: the same on every attempt and every node, so a receiver drops repeats by it. */
  id: string;
  event: string;
  sent_at: string;
  /** The JSON body a webhook receives. */
  payload: object;
  /** One line, for chat. */
  text: string;
  /** Email: its subject and plain-text body. */
  subject: string;
  body: string;
}

export interface Channel {
  send(target: { address: string; secret: string | null }, message: Outgoing): Promise<void>;
}

/** A failure that retrying cannot mend (the receiver refused the message itself): recorded at once. */
export class PermanentDeliveryError extends Error {}
