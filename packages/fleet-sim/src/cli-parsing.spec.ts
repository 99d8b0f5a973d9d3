import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCredentialsFile, writeCredentialsFile } from './credentials.js';
import { hubEnrollUrl } from './token-enrollment.js';
import { parseDuration } from './duration.js';
import { parseLocalAddresses } from './local-addresses.js';
import { simulatedOutput } from './fleet-simulator.js';

describe('what the CLI parses', () => {
  it('reads durations with a unit, and bare milliseconds', () => {
    expect(parseDuration('15s')).toBe(15_000);
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('2m')).toBe(120_000);
    expect(parseDuration('1.5s')).toBe(1_500);
    expect(parseDuration('40')).toBe(40);
    expect(() => parseDuration('soon')).toThrow(/not a duration/);
  });

  it('expands a source-address range on its last octet and keeps single addresses', () => {
    expect(parseLocalAddresses('127.0.0.2-127.0.0.4,10.0.0.1')).toEqual(['127.0.0.2', '127.0.0.3', '127.0.0.4', '10.0.0.1']);
    expect(parseLocalAddresses('127.0.0.7-8')).toEqual(['127.0.0.7', '127.0.0.8']);
  });

  it('reads credentials as lines (with an optional site) or as a JSON array, and names a bad line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleet-sim-creds-'));
    const lines = join(dir, 'agents.txt');
    writeFileSync(lines, '# id token site\nweb-1 aaaaaaaaaaaaaaaaaaaa par\nweb-2 bbbbbbbbbbbbbbbbbbbb\n');
    expect(readCredentialsFile(lines)).toEqual([
      { id: 'web-1', token: 'aaaaaaaaaaaaaaaaaaaa', site: 'par' },
      { id: 'web-2', token: 'bbbbbbbbbbbbbbbbbbbb' },
    ]);
    const json = join(dir, 'agents.json');
    writeFileSync(json, JSON.stringify([{ id: 'db-1', token: 'cccccccccccccccccccc' }]));
    expect(readCredentialsFile(json)).toEqual([{ id: 'db-1', token: 'cccccccccccccccccccc' }]);
    const bad = join(dir, 'bad.txt');
    writeFileSync(bad, 'web-1 short\n');
    expect(() => readCredentialsFile(bad)).toThrow(/bad\.txt:1/);
  });

  it('makes output of exactly the asked size whose first line names the agent and verb', () => {
    const out = simulatedOutput('web-1', 'exec', 100);
    expect(out).toHaveLength(100);
    expect(out.split('\n')[0]).toBe('simulated exec on web-1');
    expect(simulatedOutput('web-1', 'exec', 5)).toBe('simul');
  });

  it('writes enrolled credentials for the owner only, in the form it reads back', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'fleet-sim-save-')), 'agents.txt');
    const creds = [
      { id: 'a-1', token: 'dddddddddddddddddddd', site: 'par' },
      { id: 'a-2', token: 'eeeeeeeeeeeeeeeeeeee' },
    ];
    writeCredentialsFile(file, creds);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readCredentialsFile(file)).toEqual(creds);
  });

  it('finds the hub’s enroll endpoint beside its WebSocket endpoint', () => {
    expect(hubEnrollUrl('ws://127.0.0.1:4100/agent/v1')).toBe('http://127.0.0.1:4100/v1/enroll');
    expect(hubEnrollUrl('wss://hub.example.com/agent/v1')).toBe('https://hub.example.com/v1/enroll');
  });
});
