import { CONTEXT_NAMES_COMMAND, sq, transitions, type CompletionNode } from './model.js';

/** `eval "$(fleetplane completion bash)"` in ~/.bashrc, or the output saved in /etc/bash_completion.d/fleetplane. */
export function bashCompletion(nodes: CompletionNode[]): string {
  const choiceCases = nodes.flatMap((n) =>
    n.options
      .filter((o) => o.choices.length)
      .map((o) => `    ${sq(`${n.path}|${o.flag}`)}) COMPREPLY=($(compgen -W ${sq(o.choices.join(' '))} -- "$cur")); return ;;`),
  );
  const wordCases = nodes.map((n) => `    ${sq(n.path)}) words=${sq([...n.subcommands.map((s) => s.name), ...n.options.map((o) => o.flag)].join(' '))} ;;`);
  return `# fleetplane completion for bash
_fleetplane() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" path='' words='' w i
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    # After "run AGENT --" everything is the remote argv: complete files.
    [[ $w == -- ]] && return 0
    case "$path|$w" in
      ${transitions(nodes).map(sq).join('|')}) path="\${path:+$path }$w" ;;
    esac
  done
  case "$path|$prev" in
    *'|--context') COMPREPLY=($(compgen -W "$(${CONTEXT_NAMES_COMMAND})" -- "$cur")); return ;;
${choiceCases.join('\n')}
  esac
  case "$path" in
${wordCases.join('\n')}
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -o default -F _fleetplane fleetplane
`;
}
