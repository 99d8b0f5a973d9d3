import { describe, expect, it } from 'vitest';
import { BYTES_PER_FIELD, ROW_BYTES_BASE } from './cost.js';
import { fuseChains } from './fusion.js';
import { estimateMemory } from './memory.js';
import { build } from './test-plans.js';

describe(estimateMemory.name, () => {
  const plan = build((p) =>
    p
      .columns(['x'], { id: 'src' })
      .map({ y: 'x + 1' }, 'a')
      .filter('y > 0', 'b')
      .sort([{ field: 'y' }], 'c')
      .map({ z: 'y * 2' }, 'd')
      .sort([{ field: 'z' }], 'e')
      .sink('out'),
  );
  const rows = () => 100;
  const row = ROW_BYTES_BASE + BYTES_PER_FIELD;

  it('counts the bytes of each intermediate before and after fusion, and the reuse of dead buffers', () => {
    const unfused = estimateMemory(plan, fuseChains(plan, { fuse: false }).stages, rows);
    expect([...unfused.intermediates.keys()]).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(unfused.totalBytes).toBe(5 * 100 * row);
    const fused = estimateMemory(plan, fuseChains(plan).stages, rows);
    expect([...fused.intermediates.keys()]).toEqual(['b', 'c', 'd', 'e']);
    expect(fused.totalBytes).toBe(4 * 100 * row);
    // b dies once c is sorted, so d can take b's buffer; the peak is two buffers, not four.
    expect(fused.reuse).toEqual([
      ['d', 'b'],
      ['e', 'c'],
    ]);
    expect(fused.peakBytes).toBe(2 * 100 * row);
  });
});
