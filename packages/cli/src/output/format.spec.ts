import { describe, expect, it } from 'vitest';
import { command, execution } from '../test/fakes.js';
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
      command({
        params: { argv: ['sh', '-c', 'exit 3'] },
        summary: { targets: 2, byState: { COMPLETED: 2 }, exitCodes: [], firstErrors: [], nonResponders: [], nonRespondersTotal: 0 },
      }),
    ]);
    expect(text).toContain('sh -c "exit 3"');
    expect(text).toMatch(/COMPLETED\s+normal\s+2\s/);
    expect(text.trimEnd().split('\n')).toHaveLength(2);
  });

  it('shows a command with its executions and their outputs', () => {
    const text = formatCommand(command({ executions: [execution({ stdout: 'hello\n', stderr: 'warn\n', error: null })] }));
    expect(text).toMatch(/^id:\s+c1$/m);
    expect(text).toMatch(/^state:\s+COMPLETED$/m);
    expect(text).toMatch(/^e1\s+agent-1\s+COMPLETED\s+0\s+1\s+-\s+-$/m);
    expect(text).toContain('stdout:\nhello\nstderr:\nwarn\n');
  });
});
