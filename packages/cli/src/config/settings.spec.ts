import { describe, expect, it } from 'vitest';
import { describeOrigin, resolveContext, resolveOutput, resolveUrl, type Layers } from './settings.js';

const project = { path: '/repo/.fleetplanerc', file: { context: 'staging', output: 'yaml' as const, contexts: { prod: { url: 'https://project-prod' } } } };
const user = {
  path: '/home/op/.config/fleetplane/config.json',
  file: { context: 'prod', output: 'json' as const, contexts: { prod: { url: 'https://user-prod' }, lab: { url: 'http://lab:4000' } } },
};

describe('settings layers', () => {
  it('takes flags over the environment over the project file over the user file, and says where each value came from', () => {
    const all: Layers = {
      flags: { context: 'lab', output: 'table' },
      env: { FLEETPLANE_CONTEXT: 'prod', FLEETPLANE_OUTPUT: 'json' },
      project,
      user,
    };
    expect(resolveContext(all)).toEqual({ value: 'lab', origin: { kind: 'flag', name: '--context' } });
    expect(resolveContext({ ...all, flags: {} })).toEqual({ value: 'prod', origin: { kind: 'env', name: 'FLEETPLANE_CONTEXT' } });
    expect(resolveContext({ ...all, flags: {}, env: {} })).toEqual({ value: 'staging', origin: { kind: 'file', path: project.path } });
    expect(resolveContext({ flags: {}, env: {}, user })).toEqual({ value: 'prod', origin: { kind: 'file', path: user.path } });
    expect(resolveContext({ flags: {}, env: {} })).toEqual({ value: 'default', origin: { kind: 'default' } });

    expect(resolveOutput(all).value).toBe('table');
    expect(resolveOutput({ ...all, flags: {} })).toEqual({ value: 'json', origin: { kind: 'env', name: 'FLEETPLANE_OUTPUT' } });
    expect(resolveOutput({ ...all, flags: {}, env: {} })).toEqual({ value: 'yaml', origin: { kind: 'file', path: project.path } });
    expect(resolveOutput({ flags: {}, env: { FLEETPLANE_OUTPUT: '' } })).toEqual({ value: 'table', origin: { kind: 'default' } });
  });

  it("finds a context's URL: --url, FLEETPLANE_URL, the project's entry, the user's, the stored login, the default", () => {
    const stored = { value: 'http://from-login', origin: { kind: 'login' as const, path: '/c.json' } };
    const l: Layers = { flags: { url: 'http://flag' }, env: { FLEETPLANE_URL: 'http://env' }, project, user };
    expect(resolveUrl(l, 'prod', stored, 'http://dflt').value).toBe('http://flag');
    expect(resolveUrl({ ...l, flags: {} }, 'prod', stored, 'http://dflt').value).toBe('http://env');
    expect(resolveUrl({ ...l, flags: {}, env: {} }, 'prod', stored, 'http://dflt')).toEqual({
      value: 'https://project-prod',
      origin: { kind: 'file', path: project.path },
    });
    expect(resolveUrl({ ...l, flags: {}, env: {} }, 'lab', stored, 'http://dflt')).toEqual({
      value: 'http://lab:4000',
      origin: { kind: 'file', path: user.path },
    });
    expect(resolveUrl({ ...l, flags: {}, env: {} }, 'other', stored, 'http://dflt')).toEqual(stored);
    expect(resolveUrl({ flags: {}, env: {} }, 'other', undefined, 'http://dflt')).toEqual({ value: 'http://dflt', origin: { kind: 'default' } });
  });

  it('prints origins the way config --show-origin shows them', () => {
    expect(describeOrigin({ kind: 'flag', name: '--url' })).toBe('flag:--url');
    expect(describeOrigin({ kind: 'env', name: 'FLEETPLANE_URL' })).toBe('env:FLEETPLANE_URL');
    expect(describeOrigin({ kind: 'file', path: '/x/.fleetplanerc' })).toBe('file:/x/.fleetplanerc');
    expect(describeOrigin({ kind: 'login', path: '/x/credentials.json' })).toBe('login:/x/credentials.json');
    expect(describeOrigin({ kind: 'default' })).toBe('default');
  });
});
