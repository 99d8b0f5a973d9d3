import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../program.js';
import type { Context } from '../context.js';
import { bashCompletion } from './bash.js';
import { fishCompletion } from './fish.js';
import { completionNodes } from './model.js';
import { zshCompletion } from './zsh.js';

const nodes = completionNodes(buildProgram({} as Context, () => undefined));

/** What bash completes for the words typed so far (the last one being completed), by running the script. */
function completeInBash(words: string[]): string[] {
  // A stand-in for the installed CLI, which the script asks for context names.
  const script = `${bashCompletion(nodes)}
fleetplane() { [ "$*" = 'config get-contexts --names' ] && printf 'default\\nprod\\n'; }
COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}
_fleetplane; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const r = spawnSync('bash', ['--norc', '--noprofile', '-c', script], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  return r.stdout.split('\n').filter(Boolean);
}

describe('shell completion', () => {
  it('describes every command from the program itself', () => {
    const paths = nodes.map((n) => n.path);
    for (const p of ['', 'agents list', 'users create', 'users set-password', 'api-keys create', 'stats', 'config use-context', 'completion'])
      expect(paths).toContain(p);
    const list = nodes.find((n) => n.path === 'agents list')!;
    expect(list.options.map((o) => o.flag)).toEqual(expect.arrayContaining(['--output', '-o', '--json', '--wide', '--site', '--context', '--help']));
  });

  it('bash completes commands, subcommands, options and option values', () => {
    expect(completeInBash(['fleetplane', ''])).toEqual(expect.arrayContaining(['agents', 'users', 'api-keys', 'stats', 'config', 'completion', '--context']));
    expect(completeInBash(['fleetplane', 'us'])).toEqual(['users']);
    expect(completeInBash(['fleetplane', 'users', ''])).toEqual(
      expect.arrayContaining(['list', 'create', 'update', 'disable', 'enable', 'delete', 'set-password', 'end-sessions']),
    );
    expect(completeInBash(['fleetplane', '--context', 'prod', 'agents', 'list', '--si'])).toEqual(['--site']);
    expect(completeInBash(['fleetplane', 'agents', 'list', '--seen-'])).toEqual(['--seen-before', '--seen-after']);
    expect(completeInBash(['fleetplane', 'agents', 'list', '--output', ''])).toEqual(['table', 'json', 'yaml']);
    expect(completeInBash(['fleetplane', 'api-keys', 'create', 'ci', '--role', 'a'])).toEqual(['admin']);
    expect(completeInBash(['fleetplane', 'completion', ''])).toEqual(expect.arrayContaining(['--help']));
    // Context names come from the CLI itself at completion time.
    expect(completeInBash(['fleetplane', '--context', ''])).toEqual(['default', 'prod']);
    expect(completeInBash(['fleetplane', 'agents', 'list', '--context', 'p'])).toEqual(['prod']);
    // After `--` the words are the remote argv: nothing from fleetplane's own vocabulary.
    expect(completeInBash(['fleetplane', 'run', 'a1', '--', 'ls', ''])).toEqual([]);
  });

  it('knows the fleet commands: run selectors and limits, commands cancel|retry|executions|output and their values', () => {
    expect(completeInBash(['fleetplane', 'commands', ''])).toEqual(expect.arrayContaining(['get', 'list', 'executions', 'output', 'cancel', 'retry']));
    expect(completeInBash(['fleetplane', 'run', '--max-'])).toEqual(['--max-concurrency', '--max-errors']);
    expect(completeInBash(['fleetplane', 'run', '--'])).toEqual(
      expect.arrayContaining(['--site', '--label', '--agent', '--capability', '--os', '--connected', '--ttl', '--no-wait']),
    );
    expect(completeInBash(['fleetplane', 'exec', 'system.info', '--co'])).toEqual(['--connected', '--context']);
    expect(completeInBash(['fleetplane', 'commands', 'executions', 'c1', '--state', 'EX'])).toEqual(['EXPIRED']);
    expect(completeInBash(['fleetplane', 'commands', 'output', 'c1', 'e1', '--stream', ''])).toEqual(['stdout', 'stderr']);
    expect(completeInBash(['fleetplane', 'commands', 'output', 'c1', 'e1', '--f'])).toEqual(['--follow']);
    expect(completeInBash(['fleetplane', 'commands', 'cancel', 'c1', '--ex'])).toEqual(['--execution']);
    expect(completeInBash(['fleetplane', 'audit', 'list', '--command-'])).toEqual(['--command-id']);
    // After `run --site eu --` the words are the remote argv too.
    expect(completeInBash(['fleetplane', 'run', '--site', 'eu', '--', ''])).toEqual([]);
  });

  it('bash accepts the script (syntax) and registers it for fleetplane', () => {
    const r = spawnSync('bash', ['--norc', '-n'], { input: bashCompletion(nodes), encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(bashCompletion(nodes)).toMatch(/^complete -o default -F _fleetplane fleetplane$/m);
  });

  it('zsh and fish scripts cover the same commands and option values', () => {
    const zsh = zshCompletion(nodes);
    expect(zsh.startsWith('#compdef fleetplane\n')).toBe(true);
    expect(zsh).toContain("'|api-keys'");
    expect(zsh).toContain("'agents list|--output') compadd -- 'table' 'json' 'yaml'; return ;;");
    expect(zsh).toContain("'set-password:change your own password");
    expect(zsh).toContain(`*'|--context') compadd -- \${(f)"$(fleetplane config get-contexts --names 2>/dev/null)"}; return ;;`);
    const fish = fishCompletion(nodes);
    expect(fish).toContain(`complete -c fleetplane -n 'test "$(__fleetplane_path)" = \\'users\\'' -a 'set-password'`);
    expect(fish).toContain(`-n 'test "$(__fleetplane_path)" = \\'agents list\\'' -l output -xa 'table json yaml'`);
    expect(fish).toContain(`-n 'test "$(__fleetplane_path)" = \\'api-keys create\\'' -l scope -r`);
    expect(fish).toContain(`-n 'test "$(__fleetplane_path)" = \\'\\'' -l context -xa '(fleetplane config get-contexts --names 2>/dev/null)'`);
  });
});
