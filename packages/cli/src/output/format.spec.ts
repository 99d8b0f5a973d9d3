import { describe, expect, it } from 'vitest';
import { command, execution, summaryOf } from '../test/fakes.js';
import { formatAgents, formatCommand, formatCommands } from './format.js';
import { renderTable } from './table.js';

describe('output', () => {
  it('aligns table columns and shows empty cells as -', () => {
    expect(
      renderTable(
        ['ID', 'SITE'],
        [
          ['agent-1', null],
          ['b', 'dc-1'],
        ],
      ),
    ).toBe('ID       SITE\nagent-1  -\nb        dc-1\n');
  });

  it('lists agents with their presence and labels', () => {
    const text = formatAgents([
      {
        id: 'a1',
        site: 'dc1',
        os: 'linux',
        kernel: null,
        version: '0.1.0',
        capabilities: [],
        containerEngine: null,
        labels: { role: 'db' },
        connected: true,
        lastSeenAt: null,
        enrolledAt: null,
        connectedAt: null,
        hubInstanceId: null,
        protocolVersion: null,
      },
    ]);
    expect(text.split('\n')[0]).toMatch(/^ID\s+SITE\s+CONNECTED\s+LAST SEEN\s+OS\s+VERSION\s+LABELS$/);
    expect(text.split('\n')[1]).toMatch(/^a1\s+dc1\s+yes\s+-\s+linux\s+0\.1\.0\s+role=db$/);
    expect(formatAgents([])).toBe('no agents\n');
  });

  it('shows argv quoted only where a shell would need it, and keeps rows on one line', () => {
    const text = formatCommands([
      command({ params: { argv: ['sh', '-c', 'exit 3'] }, summary: null }),
      command({ id: 'c2', summary: null, selector: { agentIds: [], site: 'eu', labels: { role: 'web' }, capabilities: [], os: '', connected: true } }),
    ]);
    expect(text).toContain('sh -c "exit 3"');
    expect(text).toContain('site=eu label:role=web connected');
    expect(text).toContain('agent list');
    expect(text.trimEnd().split('\n')).toHaveLength(3);
  });

  it('shows a command with its settings and summary: counts per state, exit codes, first errors, non-responders', () => {
    const executions = [
      execution(),
      execution({ id: 'e2', agentId: 'agent-2', state: 'FAILED', exitCode: 3, error: 'boom' }),
      execution({ id: 'e3', agentId: 'agent-3', state: 'QUEUED', exitCode: null, reason: 'agent offline' }),
    ];
    const text = formatCommand(
      command({
        state: 'RUNNING',
        maxConcurrency: 10,
        maxErrors: 5,
        summary: { ...summaryOf(executions), nonResponders: ['agent-3'], nonRespondersTotal: 101 },
      }),
    );
    expect(text).toMatch(/^id:\s+c1$/m);
    expect(text).toMatch(/^state:\s+RUNNING$/m);
    expect(text).toMatch(/^targets:\s+3$/m);
    expect(text).toMatch(/^max concurrency:\s+10$/m);
    expect(text).toMatch(/^max errors:\s+5$/m);
    expect(text).toMatch(/^COMPLETED\s+1$/m);
    expect(text).toMatch(/^FAILED\s+1$/m);
    expect(text).not.toMatch(/^RUNNING\s+0$/m);
    expect(text).toMatch(/^0\s+1$/m);
    expect(text).toMatch(/^3\s+1$/m);
    expect(text).toMatch(/^e2\s+agent-2\s+FAILED\s+boom$/m);
    expect(text).toContain('non-responders (101): agent-3 and 100 more');
    expect(formatCommand(command({ maxErrors: null, summary: null }))).toMatch(/^max errors:\s+none$/m);
  });
});
