import { consumers, type Plan } from '../program/plan.js';
import { isAggregate, isStream, type ChainStage, type Stage } from './stages.js';

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
  const stages: (Stage & { copies?: number })[] = [];
  // Open chains by the tile they currently end at (terminal not yet set).
  const open = new Map<string, { stage: ChainStage; copies: number; index: number }>();

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
      const extended: ChainStage = isStream(node)
        ? { ...host.stage, ops: [...host.stage.ops, node], output: node.id }
        : { ...host.stage, terminal: node, output: node.id };
      stages[host.index] = extended;
      if (isStream(node)) open.set(node.id, { stage: extended, copies: host.copies * copies, index: host.index });
      continue;
    }
    const stage: ChainStage = isStream(node)
      ? { kind: 'chain', input, ops: [node], terminal: undefined, output: node.id }
      : { kind: 'chain', input, ops: [], terminal: node, output: node.id };
    stages.push(stage);
    if (isStream(node)) open.set(node.id, { stage, copies, index: stages.length - 1 });
  }

  const fused = stages.filter((s): s is ChainStage => s.kind === 'chain' && s.ops.length + (s.terminal === undefined ? 0 : 1) > 1);
  const summary = !options.fuse
    ? 'disabled: one loop per tile'
    : fused.length === 0
      ? 'nothing to fuse'
      : `fused ${fused.map((s) => [...s.ops.map((o) => o.id), ...(s.terminal === undefined ? [] : [s.terminal.id])].join('→')).join('; ')}`;
  return { stages, summary };
}
