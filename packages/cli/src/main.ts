import { runCli } from './program.js';

// exitCode rather than process.exit(): stdout may still be flushing a large remote output.
process.exitCode = await runCli(process.argv.slice(2), {
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
});
