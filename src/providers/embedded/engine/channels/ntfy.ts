/**
 * The ntfy channel: a push notification to an ntfy topic (`https://ntfy.sh/<topic>` or a
 * self-hosted server), with its priority, tags and a "view" action button to the responder page.
 */
import type { Channel, Outgoing } from './channel.js';
import { factLines } from './format.js';
import { deliver, type Explained, textAt } from './http.js';

/**
 * ntfy: published as JSON to the server's root with the topic in the body (ntfy's JSON
 * publishing, which carries any text; its header form takes only ASCII titles). An access token
 * given with the method (its secret) goes as `Authorization: Bearer`.
 */
export const ntfyChannel: Channel = {
  async send(target, message) {
    const topicUrl = new URL(target.address);
    const topic = topicUrl.pathname.split('/').pop() as string;
    // The server's root: the topic URL without its last segment (servers may live under a path).
    const root = new URL('.', topicUrl);
    root.search = topicUrl.search;
    await deliver(root.toString(), JSON.stringify(ntfyMessage(topic, message)), {
      headers: target.secret ? { authorization: `Bearer ${target.secret}` } : {},
      explain: ntfyError,
    });
  },
};

export function ntfyMessage(topic: string, m: Outgoing): object {
  const high = m.urgency === 'high';
  return {
    topic,
    title: m.title,
    message: factLines(m),
    // 5 is "urgent" (long vibration, pop-over), 3 the default.
    priority: high ? 5 : 3,
    tags: [high ? 'rotating_light' : 'warning', 'vigil'],
    ...(m.link && {
      click: m.link,
      actions: [{ action: 'view', label: 'Acknowledge', url: m.link, clear: true }],
    }),
  };
}

/** ntfy's error answer: `{"code", "http", "error", "link"}`. */
function ntfyError(body: unknown): Explained {
  const error = textAt(body, 'error');
  const link = textAt(body, 'link');
  return { message: error && (link ? `${error} (${link})` : error) };
}
