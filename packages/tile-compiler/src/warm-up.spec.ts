import { describe, expect, it } from 'vitest';
import { warmUpCompiler } from './warm-up.js';

describe('warmUpCompiler', () => {
  it('compiles and runs its built-in program (every tile kind) without throwing', () => {
    expect(() => warmUpCompiler()).not.toThrow();
  });
});
