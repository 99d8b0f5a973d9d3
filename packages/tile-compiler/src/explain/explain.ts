import type { CompiledProgram } from '../compile.js';
import { COST_MODEL_FACTOR } from '../passes/cost.js';
import { stageTiles } from '../passes/stages.js';

const bytes = (b: number) => (b >= 1 << 20 ? `${(b / (1 << 20)).toFixed(1)} MiB` : b >= 1024 ? `${(b / 1024).toFixed(1)} KiB` : `${Math.round(b)} B`);
const count = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : `${Math.round(n)}`);

/** A readable plan in the spirit of SQL EXPLAIN. */
export function explainPlan(p: CompiledProgram): string {
  const lines: string[] = [];
  lines.push(`TILE PLAN  ${p.original.nodes.length} tiles -> ${p.plan.nodes.length} after optimisation, ${p.stages.length} stages`);
  lines.push('Passes:');
  for (const a of p.plan.applied) lines.push(`  ${a.pass.padEnd(16)}${a.summary}`);
  lines.push('Stages:');
  const par = new Map(p.parallelism.stages.map((s) => [s.output, s]));
  p.stages.forEach((s, i) => {
    const mode = par.get(s.output);
    const what =
      s.kind === 'chain'
        ? `${s.ops.length + (s.terminal ? 1 : 0) > 1 ? 'FUSED LOOP' : 'LOOP'} ${s.input} => ${stageTiles(s).join(' -> ')}${s.terminal ? '' : ' (collect)'}`
        : `${s.node.kind.toUpperCase()} ${s.node.id}${s.node.inputs.length ? ` <= ${s.node.inputs.join(', ')}` : ''}`;
    const tile = p.cost.perTile.get(s.output);
    const mem = p.memory.intermediates.get(s.output);
    lines.push(`  #${i + 1} ${what}`);
    if (mode !== undefined && mode.mode !== 'source') lines.push(`      ${mode.mode}; combine: ${mode.combine}`);
    if (tile !== undefined && s.kind === 'chain')
      lines.push(`      est rows in ${count(p.cost.perTile.get(stageTiles(s)[0] ?? '')?.rowsIn ?? 0)}, stored ${mem === undefined ? '0 B' : bytes(mem)}`);
  });
  if (p.parallelism.independentWaves.length > 0) {
    lines.push(`Independent stages: ${p.parallelism.independentWaves.map((w) => `{${w.join(', ')}}`).join(' ')}`);
  }
  lines.push(
    `Memory: intermediates ${bytes(p.memory.totalBytes)}, peak ${bytes(p.memory.peakBytes)} with buffer reuse${p.memory.reuse.length ? ` (${p.memory.reuse.map(([a, b]) => `${a} reuses ${b}`).join(', ')})` : ''}`,
  );
  lines.push(
    `Cost: ${count(p.cost.ops)} ops, ~${p.cost.estimatedMs.toFixed(2)} ms (estimates within ${COST_MODEL_FACTOR}x of measured ops/bytes for filter selectivity in [0.25, 1])`,
  );
  return lines.join('\n');
}
