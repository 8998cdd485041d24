/**
 * The relay's screen: raw DevTools, server-side paths and non-web pages are refused; new
 * contexts get the run's guard proxy whatever they asked for; everything else passes unchanged.
 */
import { describe, expect, it } from 'vitest';
import { screen } from './protocol-filter.js';

const PROXY = 'http://127.0.0.1:1234';

describe('screen', () => {
  it('refuses CDP sessions, server-side file paths and non-web URLs', () => {
    for (const message of [
      { id: 1, guid: 'ctx', method: 'newCDPSession', params: { page: { guid: 'p' } } },
      { id: 2, guid: 'b', method: 'newBrowserCDPSession', params: {} },
      { id: 3, guid: 'artifact', method: 'saveAs', params: { path: '/home/u/.bashrc' } },
      {
        id: 4,
        guid: 'frame',
        method: 'setInputFiles',
        params: { selector: 'input', localPaths: ['/etc/passwd'] },
      },
      { id: 5, guid: 'frame', method: 'goto', params: { url: 'file:///etc/passwd' } },
      { id: 6, guid: 'frame', method: 'goto', params: { url: ' view-source:file:///etc/passwd' } },
      { id: 7, guid: 'b', method: 'newContext', params: { baseURL: 'file:///' } },
      { id: 8, guid: 'b', method: 'newContext', params: { recordVideo: { dir: '/tmp/x' } } },
      { id: 9, guid: 'route', method: 'continue', params: { url: 'chrome://settings' } },
      { id: 10, guid: 'frame', method: 'setContent', params: { html: '<iframe src="file:///etc/passwd">' } },
    ]) {
      expect(screen(message, PROXY), JSON.stringify(message)).toHaveProperty('refuse');
    }
  });

  it('forces the guard proxy into new contexts and passes web calls as they are', () => {
    const context = screen(
      { id: 1, guid: 'b', method: 'newContext', params: { proxy: { server: 'direct://' } } },
      PROXY,
    );
    expect(context).toEqual({
      forward: { id: 1, guid: 'b', method: 'newContext', params: { proxy: { server: PROXY } } },
    });
    for (const url of ['https://example.com/', '/relative', 'about:blank', 'data:text/html,<p>x</p>']) {
      const goto = { id: 2, guid: 'frame', method: 'goto', params: { url } };
      expect(screen(goto, PROXY)).toEqual({ forward: goto });
    }
    const html = {
      id: 3,
      guid: 'frame',
      method: 'setContent',
      params: { html: '<a href="/profile">me</a>' },
    };
    expect(screen(html, PROXY)).toEqual({ forward: html });
  });
});
