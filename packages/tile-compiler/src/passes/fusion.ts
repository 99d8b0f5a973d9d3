import { consumers, type Plan } from '../program/plan.js';
import { isAggregate, isStream, type AggregateNode, type ChainStage, type Stage, type StreamNode } from './stages.js';

/**
 * Chain fusion: consecutive map/filter/flatMap tiles, and an aggregate that
 * ends them, become one loop with no intermediate arrays. A tile joins its
 * input's loop only when it is that input's sole consumer; otherwise the
 * input must be materialised for the other consumers anyway.
 * flatMap bodies are inlined per emit entry, so fusion stops once a loop
 * would hold more than MAX_INLINED_COPIES copies of the downstream code.
 */
const MAX_INLINED_COPIES = 64;

export interface FusionResult {
  readonly stages: readonly Stage[];
  readonly summary: string;
}

export function fuseChains(plan: Plan, options: { fuse: boolean } = { fuse: true }): FusionResult {
  const users = consumers(plan);
  // Chains are built in place (ops pushed, terminal set) so long chains stay linear-time.
  type Building = { kind: 'chain'; input: string; ops: StreamNode[]; terminal: AggregateNode | undefined; output: string };
  const stages: (Building | Stage)[] = [];
  // Open chains by the tile they currently end at (terminal not yet set).
  const open = new Map<string, { chain: Building; copies: number }>();

  for (const node of plan.nodes) {
    if (!isStream(node) && !isAggregate(node)) {
      stages.push({ kind: 'op', node, output: node.id });
      continue;
    }
    const input = node.inputs[0] as string;
    const copies = node.kind === 'flatMap' ? node.emit.length : 1;
    const host = open.get(input);
    if (options.fuse && host !== undefined && users.get(input)?.length === 1 && host.copies * copies <= MAX_INLINED_COPIES) {
      open.delete(input);
      host.chain.output = node.id;
      if (isStream(node)) {
        host.chain.ops.push(node);
        open.set(node.id, { chain: host.chain, copies: host.copies * copies });
      } else {
        host.chain.terminal = node;
      }
      continue;
    }
    const chain: Building = isStream(node)
      ? { kind: 'chain', input, ops: [node], terminal: undefined, output: node.id }
      : { kind: 'chain', input, ops: [], terminal: node, output: node.id };
    stages.push(chain);
    if (isStream(node)) open.set(node.id, { chain, copies });
  }

  const done = stages as readonly Stage[];
  const fused = done.filter((s): s is ChainStage => s.kind === 'chain' && s.ops.length + (s.terminal === undefined ? 0 : 1) > 1);
  const summary = !options.fuse
    ? 'disabled: one loop per tile'
    : fused.length === 0
      ? 'nothing to fuse'
      : `fused ${fused.map((s) => [...s.ops.map((o) => o.id), ...(s.terminal === undefined ? [] : [s.terminal.id])].join('→')).join('; ')}`;
  return { stages: done, summary };
}
