// The reference agent's own cost per execution (issue #10): what the durable journal (fsync of
// every record) and the executor add, and how the output coalescer bounds a chatty process's
// frames. In-process on the built @fleetplane/agent, no hub. Run: node bench/agent-executions.mjs [N]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { ExecutionJournal, ExecutionManager, OutputCoalescer, runProcess } from '../packages/agent/dist/index.js';

const N = Number(process.argv[2] ?? 500);
const dir = mkdtempSync(join(tmpdir(), 'bench-agent-'));
const result = (id) => ({ type: 'RESULT', executionId: id, status: 'COMPLETED', exitCode: 0, stdout: 'ok\n', stderr: '' });

try {
  // 1. Journal: accept + result + ack per execution, each an fsynced append.
  const journal = ExecutionJournal.open(join(dir, 'j'), { retentionMs: 3_600_000 });
  let t = performance.now();
  for (let i = 0; i < N; i++) {
    journal.accept(`e${i}`);
    journal.finish(`e${i}`, result(`e${i}`));
    journal.ack(`e${i}`);
  }
  const journalMs = performance.now() - t;
  journal.close();
  console.log(`journal: ${N} executions (3 fsynced appends each) in ${journalMs.toFixed(0)} ms = ${((journalMs / N) * 1000).toFixed(0)} µs per execution`);

  // 2. Executor: N `true` processes, 4 at a time, journal on, with and without (a bare runProcess loop).
  const runAll = async (withManager) => {
    const start = performance.now();
    if (!withManager) {
      for (let i = 0; i < N; i += 4) await Promise.all([0, 1, 2, 3].map(() => runProcess({ argv: ['true'] }, 10)));
      return performance.now() - start;
    }
    const j = ExecutionJournal.open(join(dir, `m${Math.random()}`), { retentionMs: 3_600_000 });
    const manager = new ExecutionManager({
      journal: j,
      link: { send: () => true, features: () => ({ cancel: true, output: true, resultAck: false }) },
      capabilities: ['exec'],
      log: pino({ level: 'silent' }),
      maxConcurrent: 4,
      maxQueued: N,
      systemInfo: async () => ({}),
    });
    for (let i = 0; i < N; i++) {
      manager.onCommand({
        v: 1,
        id: `f${i}`,
        ts: new Date().toISOString(),
        type: 'COMMAND',
        executionId: `x${i}`,
        commandId: 'c',
        verb: 'exec',
        params: { argv: ['true'] },
        timeoutSeconds: 10,
      });
    }
    await manager.whenIdle();
    j.close();
    return performance.now() - start;
  };
  const bare = await runAll(false);
  const managed = await runAll(true);
  console.log(
    `executor: ${N} × true, 4 at a time: bare runProcess ${bare.toFixed(0)} ms (${((N / bare) * 1000).toFixed(0)}/s), through ExecutionManager + journal ${managed.toFixed(0)} ms (${((N / managed) * 1000).toFixed(0)}/s)`,
  );

  // 3. Coalescing: a process writing 32 MiB in 64 KiB pipe reads, and one writing a short line every ms for 2 s.
  for (const [what, argv] of [
    ['bulk 32 MiB', ['head', '-c', String(32 * 1024 * 1024), '/dev/zero']],
    [
      'a line per ms for 2 s',
      [process.execPath, '-e', 'let i = 0; const t = setInterval(() => { console.log("line " + i++); if (i >= 2000) clearInterval(t); }, 1);'],
    ],
  ]) {
    let frames = 0;
    let maxPiece = 0;
    let writes = 0;
    const c = new OutputCoalescer((p) => {
      frames++;
      maxPiece = Math.max(maxPiece, Buffer.from(p.data, 'base64').length);
    });
    const start = performance.now();
    const r = await runProcess({ argv }, 60, { onOutput: (s, chunk) => (writes++, c.push(s, chunk)) });
    c.close();
    const s = (performance.now() - start) / 1000;
    console.log(
      `coalescer, ${what}: ${r.outputBytes.stdout} bytes in ${writes} reads → ${frames} OUTPUT frames (${(frames / s).toFixed(0)}/s over ${s.toFixed(2)} s), largest piece ${maxPiece} bytes`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
