/**
 * The one-shot `vigil` commands: call (envelope on stdout, exit 1 on an error result), tools,
 * keys, and usage errors (exit 2); the default data directory, and start-up errors as one line.
 */
import { existsSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { join } from 'node:path';
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

    // Without a current user a read covers the whole directory and says so.
    const everyone = vigil(['call', 'get_users', '{"query":"ann"}'], env);
    expect(everyone.code).toBe(0);
    expect(JSON.parse(everyone.stdout).metadata.note).toMatch(/No current user is set/);
    const failed = vigil(['call', 'get_teams', '{"team_id":"PNOPE00"}'], env);
    expect(failed.code).toBe(1);
    expect(JSON.parse(failed.stdout).error.code).toBe('NOT_FOUND');
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

describe('the data directory', () => {
  it('defaults to the per-user data directory; VIGIL_DATA_DIR and --data-dir win', () => {
    const home = tempDir();
    const db = (dir: string) => existsSync(join(dir, 'vigil.db'));
    expect(vigil(['call', 'get_teams'], { HOME: home }).code).toBe(0);
    expect(db(join(home, '.local', 'share', 'vigil'))).toBe(true);
    const xdg = tempDir();
    expect(vigil(['call', 'get_teams'], { HOME: home, XDG_DATA_HOME: xdg }).code).toBe(0);
    expect(db(join(xdg, 'vigil'))).toBe(true);
    const [set, flag] = [tempDir(), tempDir()];
    expect(vigil(['call', 'get_teams'], { HOME: home, VIGIL_DATA_DIR: set }).code).toBe(0);
    expect(db(set)).toBe(true);
    expect(vigil(['call', 'get_teams', '--data-dir', flag], { HOME: home, VIGIL_DATA_DIR: set }).code).toBe(
      0,
    );
    expect(db(flag)).toBe(true);
  });

  it('names an unusable data directory in one line, exit 2, for every command', () => {
    const file = join(tempDir(), 'a-file');
    writeFileSync(file, '');
    for (const args of [['call', 'get_teams'], ['serve'], []]) {
      const r = vigil(args, { VIGIL_DATA_DIR: join(file, 'vigil'), HTTP_PORT: '0' });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr.trim().split('\n')).toEqual([
        `vigil: cannot use the data directory ${join(file, 'vigil')} (part of the path is a file): set VIGIL_DATA_DIR or --data-dir to a directory this user can write`,
      ]);
    }
  });
});

describe('vigil serve start-up errors', () => {
  it('says in one line, exit 2, that the port is in use', async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const { port } = busy.address() as AddressInfo;
    try {
      const r = vigil(['serve'], { VIGIL_DATA_DIR: tempDir(), HTTP_PORT: String(port) });
      expect(r.code, r.stderr).toBe(2);
      const lines = r.stderr.trim().split('\n');
      expect(lines.at(-1)).toBe(
        `vigil: 127.0.0.1:${port} is in use by another program: stop it, or set HTTP_PORT (--port) to another port (0 picks a free one)`,
      );
      expect(r.stderr).not.toMatch(/\n\s+at /);
    } finally {
      busy.close();
    }
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
    expect(rw.stdout).toMatch(/acknowledge_incident\s+incidents\s+write\s+\d+\s+yes/);
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
