import { describe, expect, it } from 'vitest';
import type { AgentResultBody } from '../exec/session-link.js';
import { fitResult } from './fit-result.js';

describe(fitResult.name, () => {
  it('leaves a result that fits alone', () => {
    const body = { type: 'RESULT' as const, executionId: 'e', status: 'COMPLETED' as const, stdout: 'hi', stderr: '' };
    expect(fitResult(body, 10_000)).toBe(body);
  });

  it('cuts output whose JSON escaping would exceed the frame limit', () => {
    const nul = '\u0000'.repeat(100_000); // 600 kB once escaped
    const fitted = fitResult<AgentResultBody>({ type: 'RESULT', executionId: 'e', status: 'COMPLETED', stdout: nul, stderr: nul }, 1024 * 1024);
    expect(Buffer.byteLength(JSON.stringify(fitted))).toBeLessThan(1024 * 1024 - 1024);
    expect(fitted.truncated).toBe(true);
    expect(fitted.stdout!.length).toBeGreaterThan(0);
  });
});
