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
  /** A headline for cards, push titles and embeds. */
  title: string;
  /** How hard to interrupt: push priorities and emergency alerts follow it. */
  urgency: 'high' | 'low';
  /** Labelled facts (service, status, level), for cards and embeds. */
  fields: { name: string; value: string }[];
  /** The responder page, where one tap acknowledges; absent where there is none. */
  link?: string;
  /** What a voice call says: the incident, and how to acknowledge. */
  speech: string;
  /**
   * The incident the message is about, for channels whose messages carry Acknowledge and Resolve
   * buttons (Slack, Telegram): its id, and for a page to a person, who and their responder page.
   */
  incident?: { id: string; userId?: string | undefined; respondUrl?: string | undefined };
  /** Email beyond the subject and text, where the message has it (status-page subscribers' mail). */
  email?: EmailParts;
}

/** Email beyond the subject and text: the HTML part, the sender's name, extra headers. */
export interface EmailParts {
  html: string;
  fromName: string;
  headers: Record<string, string>;
}

export interface Channel {
  send(target: { address: string; secret: string | null }, message: Outgoing): Promise<void>;
}

/** A failure that retrying cannot mend (the receiver refused the message itself): recorded at once. */
export class PermanentDeliveryError extends Error {}

/**
 * A failure worth retrying (rate limited, the receiver's fault) after the time the receiver asked
 * for, when it said; the outbox decides whether and when, this only carries the hint.
 */
export class RetryableDeliveryError extends Error {
  constructor(
    message: string,
    /** How long the receiver asked to wait (Retry-After, or its own body field), in ms. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}
