import { CONTEXT_NAMES_COMMAND, transitions, type CompletionNode } from './model.js';

/** fish single quotes: \\ and \' are the only escapes. */
const fq = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** `fleetplane completion fish > ~/.config/fish/completions/fleetplane.fish`. */
export function fishCompletion(nodes: CompletionNode[]): string {
  const lines = nodes.flatMap((n) => {
    const when = `-n ${fq(`test "$(__fleetplane_path)" = ${fq(n.path)}`)}`;
    return [
      ...n.subcommands.map((s) => `complete -c fleetplane ${when} -a ${fq(s.name)} -d ${fq(s.description)}`),
      ...n.options.map((o) => {
        if (o.flag === '--context') return `complete -c fleetplane ${when} -l context -xa ${fq(`(${CONTEXT_NAMES_COMMAND})`)} -d ${fq(o.description)}`;
        const flag = o.flag.startsWith('--') ? `-l ${o.flag.slice(2)}` : `-s ${o.flag.slice(1)}`;
        const value = o.choices.length ? ` -xa ${fq(o.choices.join(' '))}` : o.takesValue ? ' -r' : '';
        return `complete -c fleetplane ${when} ${flag}${value} -d ${fq(o.description)}`;
      }),
    ];
  });
  return `# fleetplane completion for fish
function __fleetplane_path
    set -l path ''
    for w in (commandline -opc)[2..-1]
        switch "$path|$w"
            case ${transitions(nodes).map(fq).join(' ')}
                set path (string trim -- "$path $w")
        end
    end
    echo $path
end
complete -c fleetplane -f
${lines.join('\n')}
`;
}
