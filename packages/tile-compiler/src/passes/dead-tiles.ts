import type { Plan } from '../program/plan.js';
import { withPass } from './reschema.js';

/** Removes tiles whose output reaches no sink: their work could never be observed. */
export function eliminateDeadTiles(plan: Plan): Plan {
  const byId = new Map(plan.nodes.map((n) => [n.id, n]));
  const live = new Set<string>();
  const stack = plan.nodes.filter((n) => n.kind === 'sink').map((n) => n.id);
  while (stack.length > 0) {
    const id = stack.pop() as string;
    if (live.has(id)) continue;
    live.add(id);
    stack.push(...(byId.get(id)?.inputs ?? []));
  }
  const dead = plan.nodes.filter((n) => !live.has(n.id)).map((n) => n.id);
  return withPass(
    plan,
    plan.nodes.filter((n) => live.has(n.id)),
    'dead-tiles',
    dead.length === 0 ? 'nothing removed' : `removed ${dead.length} tile(s) reaching no sink: ${dead.join(', ')}`,
  );
}
