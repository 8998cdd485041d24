/**
 * What several senders build alike from a message: its facts as plain lines, the colour of its
 * urgency, and text made safe inside XML and HTML.
 */
import type { Outgoing } from './channel.js';

/** The message's facts as `Name: value` lines, for a push or chat body; its one line when it has none. */
export function factLines(m: Outgoing): string {
  return m.fields.length ? m.fields.map((f) => `${f.name}: ${f.value}`).join('\n') : m.text;
}

/** The colour of a card or embed's edge: red for high urgency, amber for low (hex RGB). */
export const URGENCY_COLOR = { high: 'd92d20', low: 'f79009' } as const;

/** `text` with the five characters special in XML and HTML as numeric references. */
export function escapeMarkup(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
