/**
 * The matrix channel: an `m.room.message` sent to a room through the Matrix client-server API,
 * as the user of `VIGIL_MATRIX_ACCESS_TOKEN` on `VIGIL_MATRIX_HOMESERVER`.
 */
import type { Channel, Outgoing } from './channel.js';
import { escapeMarkup } from './format.js';
import { at, deliver, type Explained, joined, textAt } from './http.js';

/**
 * Matrix (`PUT /_matrix/client/v3/rooms/{roomId}/send/m.room.message/{txnId}`): the transaction
 * id is the delivery's id, so the homeserver keeps one event however often a delivery is repeated.
 */
export function matrixChannel(settings: { homeserver: string; accessToken: string }): Channel {
  const base = settings.homeserver.replace(/\/+$/, '');
  return {
    async send(target, message) {
      const url = `${base}/_matrix/client/v3/rooms/${encodeURIComponent(target.address)}/send/m.room.message/${encodeURIComponent(message.id)}`;
      await deliver(url, JSON.stringify(matrixMessage(message)), {
        method: 'PUT',
        headers: { authorization: `Bearer ${settings.accessToken}` },
        explain: matrixError,
      });
    },
  };
}

/** An `m.text` message: plain `body`, and the same as HTML with the title bold and the link a link. */
export function matrixMessage(m: Outgoing): object {
  const facts = m.fields.map((f) => `${f.name}: ${f.value}`);
  return {
    msgtype: 'm.text',
    body: [m.title, ...facts, ...(m.link ? [`Acknowledge: ${m.link}`] : [])].join('\n'),
    format: 'org.matrix.custom.html',
    formatted_body: [
      `<strong>${escapeMarkup(m.title)}</strong>`,
      ...facts.map(escapeMarkup),
      ...(m.link ? [`<a href="${escapeMarkup(m.link)}">Acknowledge</a>`] : []),
    ].join('<br>'),
  };
}

/** The Matrix error answer: `{"errcode", "error", "retry_after_ms"?}`. */
function matrixError(body: unknown): Explained {
  const retry = at(body, 'retry_after_ms');
  return {
    message: joined(textAt(body, 'errcode'), textAt(body, 'error')),
    retryAfterMs: typeof retry === 'number' ? retry : undefined,
  };
}
