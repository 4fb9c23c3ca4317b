import { describe, expect, it } from 'vitest';
import { insecureOrigin } from './secure-origin';

const page = { protocol: 'http:', host: 'my-laptop.test:5173', pathname: '/', search: '?signaling=x', hash: '#/phone' };

describe('insecureOrigin', () => {
  it('gives the https address of a plain-HTTP page of another machine, keeping port, path, query and route', () => {
    expect(insecureOrigin({ ...page, isSecureContext: false })).toEqual({
      openedAt: 'http://my-laptop.test:5173/?signaling=x#/phone',
      httpsUrl: 'https://my-laptop.test:5173/?signaling=x#/phone',
    });
  });

  it('lets a secure page (https, or http on localhost) run', () => {
    expect(insecureOrigin({ ...page, isSecureContext: true })).toBeNull();
  });
});
