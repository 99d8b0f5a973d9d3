import { describe, expect, it } from 'vitest';
import { CappedOutput } from './output-buffer.js';

describe(CappedOutput.name, () => {
  it('keeps everything under the limit', () => {
    const o = new CappedOutput(10);
    o.push(Buffer.from('abc'));
    o.push(Buffer.from('def'));
    expect([o.text(), o.truncated]).toEqual(['abcdef', false]);
  });

  it('keeps the first bytes over the limit and marks the cut', () => {
    const o = new CappedOutput(4);
    o.push(Buffer.from('abc'));
    o.push(Buffer.from('def'));
    o.push(Buffer.from('ghi'));
    expect([o.text(), o.truncated]).toEqual(['abcd', true]);
  });

  it('drops a multi-byte character split by the cut instead of emitting U+FFFD', () => {
    const o = new CappedOutput(4);
    o.push(Buffer.from('ab€')); // € is 3 bytes: the cut leaves 2 of them
    expect(o.text()).toBe('ab');
  });
});
