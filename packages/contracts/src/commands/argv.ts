import type { Verb, VerbParams } from './verbs.js';

export interface ProcessSpec {
  argv: string[];
  cwd?: string;
  env?: Record<string, string>;
}

const compose = (p: { projectDir: string; file?: string | undefined }, ...rest: string[]): string[] => [
  'docker',
  'compose',
  '--project-directory',
  p.projectDir,
  ...(p.file ? ['-f', p.file] : []),
  ...rest,
];
const when = (cond: unknown, ...args: string[]): string[] => (cond ? args : []);
const envFlags = (env: Record<string, string> | undefined): string[] => Object.entries(env ?? {}).flatMap(([k, v]) => ['-e', `${k}=${v}`]);

// Values always land in their own argv slot, after `--` where the tool takes
// options, so no parameter can smuggle in an option or a shell word.
const builders: { [V in Verb]: (p: VerbParams<V>) => ProcessSpec } = {
  exec: (p) => ({ argv: p.argv, ...(p.cwd ? { cwd: p.cwd } : {}), ...(p.env ? { env: p.env } : {}) }),
  'docker.ps': (p) => ({ argv: ['docker', 'ps', '--format', '{{json .}}', ...when(p.all, '--all')] }),
  'docker.inspect': (p) => ({ argv: ['docker', 'inspect', '--', p.container] }),
  'docker.logs': (p) => ({ argv: ['docker', 'logs', '--tail', String(p.tail), '--', p.container] }),
  'docker.stats': (p) => ({
    argv: ['docker', 'stats', '--no-stream', '--format', '{{json .}}', ...when(p.container, '--', p.container ?? '')],
  }),
  'docker.exec': (p) => ({ argv: ['docker', 'exec', '--', p.container, ...p.argv] }),
  'docker.run': (p) => ({
    argv: ['docker', 'run', ...when(p.detach, '--detach'), ...when(p.name, '--name', p.name ?? ''), ...envFlags(p.env), '--', p.image, ...(p.argv ?? [])],
  }),
  'docker.stop': (p) => ({ argv: ['docker', 'stop', '--', p.container] }),
  'docker.rm': (p) => ({ argv: ['docker', 'rm', ...when(p.force, '--force'), '--', p.container] }),
  'docker.pull': (p) => ({ argv: ['docker', 'pull', '--', p.image] }),
  'docker.build': (p) => ({ argv: ['docker', 'build', '--tag', p.tag, ...when(p.file, '--file', p.file ?? ''), '--', p.context] }),
  'compose.up': (p) => ({ argv: compose(p, 'up', ...when(p.detach, '--detach')) }),
  'compose.down': (p) => ({ argv: compose(p, 'down') }),
  'compose.ps': (p) => ({ argv: compose(p, 'ps', '--format', 'json') }),
  'compose.logs': (p) => ({ argv: compose(p, 'logs', '--no-color', '--tail', String(p.tail)) }),
  'system.info': () => ({ argv: ['uname', '-a'] }),
};

/** Turns a validated verb into the process an agent runs: an argv, never a shell string. */
export function toProcessSpec<V extends Verb>(verb: V, params: VerbParams<V>): ProcessSpec {
  return builders[verb](params);
}
