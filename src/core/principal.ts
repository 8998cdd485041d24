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
  /** The API key's id or the JWT's subject: names the credential in the audit trail, never its secret. */
  credentialId?: string;
  /** The most this credential may do; the server mode still caps it. */
  mode: Mode;
  /** Toolsets this credential is limited to; undefined means no limit. */
  toolsets?: readonly string[];
  /**
   * A caller known only by a SaaS provider's credential of its own (a Pingera key once Vigil's
   * auth is set up): it reaches only what that provider answers, never this server's own state.
   */
  upstreamOnly?: boolean;
  /** The user this credential acts as, by id or by email. */
  userId?: string;
  userEmail?: string;
}
