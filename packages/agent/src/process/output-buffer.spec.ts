import { describe, expect, it } from 'vitest';
import { CappedOutput, TailOutput } from './output-buffer.js';

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

describe(TailOutput.name, () => {
  it('keeps the last bytes, counts all of them and marks the cut', () => {
    const o = new TailOutput(4);
    o.push(Buffer.from('abc'));
    expect([o.text(), o.truncated]).toEqual(['abc', false]);
    o.push(Buffer.from('defgh'));
    expect([o.text(), o.truncated, o.total]).toEqual(['efgh', true, 8]);
  });

  it('skips a multi-byte character split by the cut', () => {
    const o = new TailOutput(4);
    o.push(Buffer.from('a€bc')); // the last 4 bytes start inside €
    expect(o.text()).toBe('bc');
  });
});
