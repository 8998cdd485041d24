import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers/vigil.js';
import { readEnv, withFlags } from './env.js';

describe('configuration stages', () => {
  it('reads .env under the process environment, the environment winning', () => {
    const file = join(tempDir(), '.env');
    writeFileSync(
      file,
      'VIGIL_MODE=read_write\nHTTP_PORT=7000\n# comment\nVIGIL_USER_EMAIL="ann@example.com"\n',
    );
    const env = readEnv({ HTTP_PORT: '8000' }, file);
    expect(env).toMatchObject({
      VIGIL_MODE: 'read_write',
      HTTP_PORT: '8000',
      VIGIL_USER_EMAIL: 'ann@example.com',
    });
  });

  it('reads nothing from a missing .env', () => {
    expect(readEnv({ A: '1' }, join(tempDir(), 'missing.env'))).toEqual({ A: '1' });
  });

  it('lets flags override both', () => {
    const env = withFlags(
      { VIGIL_MODE: 'read_only', HTTP_PORT: '1' },
      { mode: 'read_write', 'data-dir': '/tmp/x' },
    );
    expect(env).toMatchObject({ VIGIL_MODE: 'read_write', HTTP_PORT: '1', VIGIL_DATA_DIR: '/tmp/x' });
  });
});
