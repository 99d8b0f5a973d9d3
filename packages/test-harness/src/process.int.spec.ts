import { describe, expect, it } from 'vitest';
import { freePort, spawnProcess } from './index.js';

describe('spawnProcess', () => {
  it('waits for output and HTTP, then stops the process', async () => {
    const port = await freePort();
    const script = `
      const http = require('node:http');
      const server = http.createServer((req, res) => res.end('ok'));
      server.listen(Number(process.env.PORT), '127.0.0.1', () => console.log('listening on ' + process.env.PORT));
      process.on('SIGTERM', () => server.close(() => process.exit(0)));
    `;
    const proc = spawnProcess('http-svc', process.execPath, ['-e', script], { env: { PORT: String(port) } });
    try {
      expect(proc.pid).toBeGreaterThan(0);
      await proc.waitForOutput(/listening on \d+/);
      await proc.waitForHttp(`http://127.0.0.1:${port}/`);
      expect(proc.output()).toContain(`listening on ${port}`);
    } finally {
      expect(await proc.stop()).toBe(0);
    }
  });

  it('rejects waiters with the output when the process exits early', async () => {
    const proc = spawnProcess('crasher', process.execPath, ['-e', 'console.error("boom: bad config"); process.exit(3)'], { env: {} });
    await expect(proc.waitForOutput(/never printed/)).rejects.toThrow(/crasher exited with code 3[\s\S]*boom: bad config/);
    await expect(proc.waitForHttp('http://127.0.0.1:1/')).rejects.toThrow(/boom: bad config/);
    expect(await proc.stop()).toBe(3);
  });
});
