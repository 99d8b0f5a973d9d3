import { describe, expect, it } from 'vitest';
import { toProcessSpec } from './argv.js';
import { validateVerbParams, VERBS } from './verbs.js';

describe('validateVerbParams', () => {
  it('accepts exec with an argv', () => {
    expect(validateVerbParams('exec', { argv: ['echo', 'hello'] })).toEqual({ ok: true, params: { argv: ['echo', 'hello'] } });
  });

  it('names the missing field', () => {
    expect(validateVerbParams('exec', {})).toMatchObject({ ok: false, field: 'params.argv' });
  });

  it('refuses a shell string where an argv is expected', () => {
    expect(validateVerbParams('exec', { argv: 'rm -rf /' })).toMatchObject({ ok: false, field: 'params.argv' });
  });

  it('refuses unknown parameters', () => {
    expect(validateVerbParams('docker.ps', { all: true, shell: true })).toMatchObject({ ok: false, field: 'params' });
  });

  it('refuses an unknown verb', () => {
    expect(validateVerbParams('rm', {})).toMatchObject({ ok: false, field: 'verb' });
  });

  it('refuses a container name that looks like an option', () => {
    expect(validateVerbParams('docker.stop', { container: '--all' })).toMatchObject({ ok: false, field: 'params.container' });
  });

  it('knows the verbs of the design', () => {
    expect(VERBS).toContain('compose.logs');
    expect(VERBS).toContain('system.info');
    expect(VERBS).toHaveLength(16);
  });
});

describe('toProcessSpec', () => {
  it('keeps exec argv as given', () => {
    expect(toProcessSpec('exec', { argv: ['echo', 'a b; c'] })).toEqual({ argv: ['echo', 'a b; c'] });
  });

  it('puts the image after -- so it cannot become an option', () => {
    const spec = toProcessSpec('docker.run', { image: 'nginx:1', detach: true, env: { A: '1' } });
    expect(spec.argv).toEqual(['docker', 'run', '--detach', '-e', 'A=1', '--', 'nginx:1']);
  });

  it('builds compose commands from the project dir', () => {
    expect(toProcessSpec('compose.logs', { projectDir: '/srv/app', tail: 10 }).argv).toEqual([
      'docker',
      'compose',
      '--project-directory',
      '/srv/app',
      'logs',
      '--no-color',
      '--tail',
      '10',
    ]);
  });
});
