import { CONTEXT_NAMES_COMMAND, sq, transitions, type CompletionNode } from './model.js';

/** `source <(fleetplane completion zsh)` in ~/.zshrc (after compinit), or saved as _fleetplane in $fpath. */
export function zshCompletion(nodes: CompletionNode[]): string {
  // `path` is special in zsh (tied to $PATH): the walk keeps its place in `cmdpath`.
  const choiceCases = nodes.flatMap((n) =>
    n.options.filter((o) => o.choices.length).map((o) => `    ${sq(`${n.path}|${o.flag}`)}) compadd -- ${o.choices.map(sq).join(' ')}; return ;;`),
  );
  const describe = (n: CompletionNode) =>
    [
      ...n.subcommands.map((s) => sq(`${s.name.replace(/:/g, '\\:')}:${s.description}`)),
      ...n.options.map((o) => sq(`${o.flag.replace(/:/g, '\\:')}:${o.description}`)),
    ].join(' ');
  const wordCases = nodes.map((n) => `    ${sq(n.path)}) items=(${describe(n)}) ;;`);
  return `#compdef fleetplane
# fleetplane completion for zsh
_fleetplane() {
  local cmdpath='' w i
  local -a items
  for ((i = 2; i < CURRENT; i++)); do
    w=\${words[i]}
    [[ $w == -- ]] && { _files; return; }
    case "$cmdpath|$w" in
      ${transitions(nodes).map(sq).join('|')}) cmdpath=\${cmdpath:+$cmdpath }$w ;;
    esac
  done
  case "$cmdpath|\${words[CURRENT-1]}" in
    *'|--context') compadd -- \${(f)"$(${CONTEXT_NAMES_COMMAND})"}; return ;;
${choiceCases.join('\n')}
  esac
  case "$cmdpath" in
${wordCases.join('\n')}
  esac
  _describe -t commands fleetplane items
}
if [[ \${funcstack[1]} == _fleetplane ]]; then _fleetplane "$@"; else compdef _fleetplane fleetplane; fi
`;
}
