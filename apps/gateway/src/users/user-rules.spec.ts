import { describe, expect, it } from 'vitest';
import { endsSessions, removesAnAdmin } from './user-rules.js';

const admin = { role: 'admin' as const, disabledAt: null };
const disabledAdmin = { role: 'admin' as const, disabledAt: new Date() };
const operator = { role: 'operator' as const, disabledAt: null };

describe('user rules', () => {
  it('counts demoting or disabling (or deleting) an enabled admin as removing an admin', () => {
    expect(removesAnAdmin(admin, { role: 'operator' })).toBe(true);
    expect(removesAnAdmin(admin, { disabled: true })).toBe(true);
    expect(removesAnAdmin(admin, { role: 'admin', disabled: false })).toBe(false);
    expect(removesAnAdmin(admin, { disabled: false })).toBe(false);
    // Not an enabled admin to begin with: nothing to protect.
    expect(removesAnAdmin(disabledAdmin, { role: 'viewer' })).toBe(false);
    expect(removesAnAdmin(operator, { disabled: true })).toBe(false);
  });

  it('ends sessions on disabling or a lower role, not on promotion, re-enabling or no change', () => {
    expect(endsSessions(admin, { role: 'viewer' })).toBe(true);
    expect(endsSessions(operator, { role: 'viewer' })).toBe(true);
    expect(endsSessions(operator, { disabled: true })).toBe(true);
    expect(endsSessions(operator, { role: 'admin' })).toBe(false);
    expect(endsSessions(operator, { role: 'operator' })).toBe(false);
    expect(endsSessions(disabledAdmin, { disabled: false })).toBe(false);
    expect(endsSessions(disabledAdmin, { disabled: true })).toBe(false);
  });
});
