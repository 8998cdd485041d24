import { describe, expect, it } from 'vitest';
import { oauthScope } from './scopes.js';

describe('OAuth scopes', () => {
  it('give read_only for vigil:read and read_write for vigil:write, capped by the server mode', () => {
    expect(oauthScope('vigil:read', 'read_write')).toEqual({ mode: 'read_only' });
    expect(oauthScope('openid vigil:write offline_access', 'read_write')).toEqual({ mode: 'read_write' });
    // `scp` as a list (Okta) reads the same.
    expect(oauthScope(['vigil:write', 'vigil:toolset:checks'], 'read_write')).toEqual({
      mode: 'read_write',
      toolsets: ['checks'],
    });
    expect(oauthScope('vigil:read vigil:write', 'read_only')).toEqual({ mode: 'read_only' });
  });

  it('limit the toolsets to those named', () => {
    expect(oauthScope('vigil:read vigil:toolset:checks vigil:toolset:heartbeats', 'read_write')).toEqual({
      mode: 'read_only',
      toolsets: ['checks', 'heartbeats'],
    });
  });

  it('refuse an unknown vigil scope or toolset, and a token with no Vigil scope', () => {
    for (const scope of [
      'vigil:read vigil:admin',
      'vigil:read vigil:toolset:nope',
      'vigil:read vigil:toolset:',
    ])
      expect(oauthScope(scope, 'read_write'), scope).toHaveProperty('refused');
    expect(oauthScope('vigil:read vigil:admin', 'read_write')).toEqual({
      refused: expect.stringContaining("'vigil:admin'"),
    });
    for (const scope of [undefined, '', 'openid profile', 'vigil:toolset:checks', [42]])
      expect(oauthScope(scope, 'read_write'), JSON.stringify(scope)).toEqual({
        refused: expect.stringContaining('grants no Vigil scope'),
      });
  });
});
