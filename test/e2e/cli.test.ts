/**
 * The one-shot `vigil` commands: call (envelope on stdout, exit 1 on an error result), tools,
 * keys, and usage errors (exit 2).
 */
import { describe, expect, it } from 'vitest';
import { vigil } from '../helpers/cli.js';
import { tempDir } from '../helpers/vigil.js';

describe('vigil call', () => {
  it('prints the result envelope and exits 0, or 1 for an error result', () => {
    const env = { VIGIL_DATA_DIR: tempDir(), VIGIL_MODE: 'read_write' };
    const created = vigil(['call', 'create_user', '{"name":"Ann Lee","email":"ann@example.com"}'], env);
    expect(created.code, created.stderr).toBe(0);
    const body = JSON.parse(created.stdout);
    expect(body.metadata.count).toBe(1);
    expect(body.users[0].email).toBe('ann@example.com');

    const team = JSON.parse(
      vigil(['call', 'create_team', JSON.stringify({ name: 'Core', member_ids: [body.users[0].id] })], env)
        .stdout,
    );
    const found = vigil(['call', 'get_users', '{"query":"ann"}'], {
      ...env,
      VIGIL_USER_EMAIL: 'ann@example.com',
    });
    expect(found.code).toBe(0);
    expect(JSON.parse(found.stdout).users.map((u: { name: string }) => u.name)).toEqual(['Ann Lee']);
    expect(team.teams[0].name).toBe('Core');

    const failed = vigil(['call', 'get_users', '{"query":"ann"}'], env);
    expect(failed.code).toBe(1);
    expect(JSON.parse(failed.stdout).error.code).toBe('UNAUTHORIZED');
    expect(
      vigil(['call', 'create_user', '{"name":"X","email":"x@x.io"}'], { VIGIL_DATA_DIR: env.VIGIL_DATA_DIR })
        .code,
    ).toBe(1);
  });

  it('exits 2 with one line for malformed JSON arguments or a missing tool name', () => {
    const env = { VIGIL_DATA_DIR: tempDir() };
    const bad = vigil(['call', 'get_teams', '{"query":'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/not valid JSON/);
    expect(vigil(['call'], env).code).toBe(2);
    expect(vigil(['frobnicate'], env).code).toBe(2);
    expect(vigil(['--no-such-flag'], env).code).toBe(2);
  });
});

describe('vigil tools', () => {
  it('lists every tool with toolset, mode, tokens and whether it is listed', () => {
    const ro = vigil(['tools'], { VIGIL_DATA_DIR: tempDir() });
    expect(ro.code).toBe(0);
    const rows = ro.stdout
      .trim()
      .split('\n')
      .map((l) => l.split(/\s+/));
    expect(rows[0]).toEqual(['TOOL', 'TOOLSET', 'MODE', 'TOKENS', 'LISTED']);
    const row = (name: string) => rows.find((r) => r[0] === name);
    expect(row('get_users')?.slice(1, 3)).toEqual(['directory', 'read']);
    expect(row('create_user')?.[2]).toBe('write');
    expect(row('create_user')?.[4]).toBe('no');
    expect(Number(row('get_users')?.[3])).toBeGreaterThan(50);
    expect(ro.stderr).toMatch(/tools listed in read_only mode, about \d+ tokens/);
    const rw = vigil(['tools', '--mode', 'read_write'], { VIGIL_DATA_DIR: tempDir() });
    expect(rw.stdout).toMatch(/create_user\s+directory\s+write\s+\d+\s+yes/);
  });
});

describe('vigil keys', () => {
  it('creates a key shown once, binds it to a user, and refuses bad flags', () => {
    const env = { VIGIL_DATA_DIR: tempDir(), VIGIL_MODE: 'read_write' };
    vigil(['call', 'create_user', '{"name":"Bo","email":"bo@x.io"}'], env);
    const created = vigil(
      [
        'keys',
        'create',
        '--name',
        'ci',
        '--mode',
        'read_only',
        '--toolsets',
        'directory',
        '--user',
        'bo@x.io',
      ],
      env,
    );
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout.trim()).toMatch(/^vgl_[0-9a-f]{12}_[A-Za-z0-9_-]{32}$/);
    expect(created.stderr).toMatch(/shown only this once/);
    const list = JSON.parse(vigil(['keys', 'list'], env).stdout);
    expect(list).toEqual([
      expect.objectContaining({ name: 'ci', mode: 'read_only', toolsets: ['directory'] }),
    ]);
    expect(list[0].user_id).toMatch(/^P/);
    expect(JSON.stringify(list)).not.toContain(created.stdout.trim());
    expect(vigil(['keys', 'create', '--name', 'x', '--mode', 'god'], env).code).toBe(2);
    expect(vigil(['keys', 'create'], env).code).toBe(2);
    expect(vigil(['keys', 'create', '--name', 'x', '--user', 'ghost@x.io'], env).code).toBe(2);
    const missing = vigil(['keys', 'revoke', 'nope'], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
  });
});
