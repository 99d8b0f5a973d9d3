import { describe, expect, it } from 'vitest';
import { runProcess, type CancelReason } from './run-process.js';

// Real processes: a CANCEL must leave nothing of the execution's process group behind.
const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

function cancellable() {
  const ac = new AbortController();
  return { signal: ac.signal, cancel: (graceMs: number) => ac.abort({ graceMs } satisfies CancelReason) };
}

describe('runProcess cancel', () => {
  it('stops a sleep 600 with SIGTERM and reports CANCELLED; its group is gone', async () => {
    const c = cancellable();
    let pid = 0;
    const r = await runProcess({ argv: ['sleep', '600'] }, 900, {
      cancel: c.signal,
      onSpawn: (p) => {
        pid = p;
        c.cancel(5_000);
      },
    });
    expect(r).toMatchObject({ status: 'CANCELLED', error: 'cancelled' });
    expect(alive(-pid)).toBe(false);
  });

  it('kills the whole group — a parent that ignores SIGTERM and its sleep child — with SIGKILL after the grace, keeping the output so far', async () => {
    // No shell: node spawns the grandchild itself and reports both pids before the cancel.
    const parent = `
      const { spawn } = require('node:child_process');
      process.on('SIGTERM', () => console.log('ignoring SIGTERM'));
      const child = spawn('sleep', ['600'], { stdio: 'ignore' });
      console.log(JSON.stringify({ parent: process.pid, child: child.pid }));
      setInterval(() => {}, 1000);`;
    const c = cancellable();
    let pids: { parent: number; child: number } | undefined;
    const r = await runProcess({ argv: [process.execPath, '-e', parent] }, 900, {
      cancel: c.signal,
      onOutput: (_stream, chunk) => {
        const line = chunk
          .toString()
          .split('\n')
          .find((l) => l.startsWith('{'));
        if (line && !pids) {
          pids = JSON.parse(line) as { parent: number; child: number };
          c.cancel(300);
        }
      },
    });
    expect(r.status).toBe('CANCELLED');
    expect(r.stdout).toContain('"parent"');
    expect(r.stdout).toContain('ignoring SIGTERM');
    expect(pids).toBeDefined();
    expect(alive(pids!.parent)).toBe(false);
    expect(alive(pids!.child)).toBe(false);
    expect(alive(-pids!.parent)).toBe(false);
  });

  it('waits for a group member that let go of the pipes before reporting', async () => {
    // The direct child exits on SIGTERM; its grandchild (stdio detached from the pipes, SIGTERM ignored) must not outlive the result.
    const parent = `
      const { spawn } = require('node:child_process');
      const child = spawn(process.execPath, ['-e', "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000)"], { stdio: 'ignore' });
      console.log(JSON.stringify({ parent: process.pid, child: child.pid }));
      setInterval(() => {}, 1000);`;
    const c = cancellable();
    let pids: { parent: number; child: number } | undefined;
    const r = await runProcess({ argv: [process.execPath, '-e', parent] }, 900, {
      cancel: c.signal,
      onOutput: (_stream, chunk) => {
        const line = chunk
          .toString()
          .split('\n')
          .find((l) => l.startsWith('{'));
        if (line && !pids) {
          pids = JSON.parse(line) as { parent: number; child: number };
          // Give the grandchild's SIGTERM handler time to be installed.
          setTimeout(() => c.cancel(300), 200);
        }
      },
    });
    expect(r.status).toBe('CANCELLED');
    expect(alive(pids!.child)).toBe(false);
    expect(alive(-pids!.parent)).toBe(false);
  });

  it('reports CANCELLED without starting when cancelled before the start', async () => {
    const ac = new AbortController();
    ac.abort({ graceMs: 0 });
    let spawned = false;
    const r = await runProcess({ argv: ['sleep', '600'] }, 900, { cancel: ac.signal, onSpawn: () => (spawned = true) });
    expect(r).toMatchObject({ status: 'CANCELLED' });
    expect(spawned).toBe(false);
  });
});
