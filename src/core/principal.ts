/**
 * Who is calling: the authenticated principal of one request (or of the stdio process), with the
 * mode and toolsets its credential allows. The server narrows exposure by it; tools read the
 * current user from it.
 */

export type Mode = 'read_only' | 'read_write';

export interface Principal {
  kind: 'local' | 'anonymous' | 'api_key' | 'jwt';
  /** Short text for logs: the key name, the JWT subject. */
  label: string;
  /** The most this credential may do; the server mode still caps it. */
  mode: Mode;
  /** Toolsets this credential is limited to; undefined means no limit. */
  toolsets?: readonly string[];
  /** The user this credential acts as, by id or by email. */
  userId?: string;
  userEmail?: string;
}
