/**
 * Checks a webhook Vigil sent the way its receivers would: with the Standard Webhooks library,
 * not with Vigil's own signing code. Answers the webhook's id.
 */
import { Webhook } from 'standardwebhooks';

export function verifyWebhook(secret: string, headers: Record<string, unknown>, body: string): string {
  const flat = Object.fromEntries(
    Object.entries(headers).map(([k, v]) => [k, Array.isArray(v) ? String(v[0]) : String(v)]),
  );
  new Webhook(secret).verify(body, flat);
  return flat['webhook-id'] as string;
}
