import type { Command as Program } from 'commander';

/** One command of the tree as the completion scripts need it; `path` is the words from the root ("agents list"). */
export interface CompletionNode {
  path: string;
  description: string;
  subcommands: { name: string; description: string }[];
  options: { flag: string; description: string; takesValue: boolean; choices: readonly string[] }[];
}

/** Every command of the program, root first, read from commander's own definitions so nothing is listed twice. */
export function completionNodes(program: Program): CompletionNode[] {
  const nodes: CompletionNode[] = [];
  const walk = (cmd: Program, path: string) => {
    nodes.push({
      path,
      description: cmd.description(),
      subcommands: cmd.commands.map((c) => ({ name: c.name(), description: c.description() })),
      options: [
        ...cmd.options
          .filter((o) => !o.hidden)
          .flatMap((o) =>
            [o.long, o.short]
              .filter((f): f is string => Boolean(f))
              .map((flag) => ({ flag, description: o.description, takesValue: o.required || o.optional, choices: o.argChoices ?? [] })),
          ),
        { flag: '--help', description: 'show help', takesValue: false, choices: [] },
      ],
    });
    for (const c of cmd.commands) walk(c, path ? `${path} ${c.name()}` : c.name());
  };
  walk(program, '');
  return nodes;
}

/** The `case` patterns "parent|child" that step from one command to a subcommand. */
export function transitions(nodes: CompletionNode[]): string[] {
  return nodes.flatMap((n) => n.subcommands.map((s) => `${n.path}|${s.name}`));
}

/** Completes `--context` with the names `fleetplane config get-contexts --names` prints at the time. */
export const CONTEXT_NAMES_COMMAND = 'fleetplane config get-contexts --names 2>/dev/null';

/** Shell single quotes (bash, zsh): '…' with ' written as '\''. */
export const sq = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
