import { describe, expect, it } from 'vitest';
import { defaultDataDir, platformDataDir } from './data-dir.js';

describe('platformDataDir', () => {
  it('follows XDG on Linux and other Unix, ignoring a relative XDG_DATA_HOME', () => {
    expect(platformDataDir('linux', {}, '/home/ann')).toBe('/home/ann/.local/share/vigil');
    expect(platformDataDir('linux', { XDG_DATA_HOME: '/data/ann' }, '/home/ann')).toBe('/data/ann/vigil');
    expect(platformDataDir('freebsd', { XDG_DATA_HOME: 'rel/dir' }, '/home/ann')).toBe(
      '/home/ann/.local/share/vigil',
    );
    expect(platformDataDir('linux', { XDG_DATA_HOME: '' }, '/home/ann')).toBe('/home/ann/.local/share/vigil');
  });

  it('uses Application Support on macOS', () => {
    expect(platformDataDir('darwin', { XDG_DATA_HOME: '/x' }, '/Users/ann')).toBe(
      '/Users/ann/Library/Application Support/vigil',
    );
  });

  it('uses LOCALAPPDATA on Windows, else AppData\\Local under the profile', () => {
    expect(
      platformDataDir('win32', { LOCALAPPDATA: 'C:\\Users\\ann\\AppData\\Local' }, 'C:\\Users\\ann'),
    ).toBe('C:\\Users\\ann\\AppData\\Local\\vigil');
    expect(platformDataDir('win32', {}, 'C:\\Users\\ann')).toBe('C:\\Users\\ann\\AppData\\Local\\vigil');
  });
});

describe('defaultDataDir', () => {
  it('takes HOME and XDG_DATA_HOME from the environment it is given', () => {
    if (process.platform !== 'linux') return;
    expect(defaultDataDir({ HOME: '/tmp/someone' })).toBe('/tmp/someone/.local/share/vigil');
    expect(defaultDataDir({ HOME: '/tmp/someone', XDG_DATA_HOME: '/srv/d' })).toBe('/srv/d/vigil');
  });
});
