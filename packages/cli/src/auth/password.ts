import { UsageError } from '../errors.js';

export interface TtyInput extends NodeJS.ReadableStream {
  isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
}

/** `--password-stdin`: everything on stdin, less one trailing newline (`echo pw |` adds it). */
export async function readPasswordFromStream(input: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of input) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  const password = Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
  if (!password) throw new UsageError('--password-stdin: stdin was empty');
  return password;
}

/** Reads one line from a terminal with echo off (raw mode: the terminal does not print what is typed). */
export function promptHidden(prompt: string, input: TtyInput, output: NodeJS.WritableStream): Promise<string> {
  if (!input.isTTY || !input.setRawMode) {
    return Promise.reject(new UsageError('no terminal to ask for the password: pass it with --password-stdin'));
  }
  const setRaw = input.setRawMode.bind(input);
  output.write(prompt);
  setRaw(true);
  input.resume();
  return new Promise((resolve, reject) => {
    let typed = '';
    const done = (err?: Error) => {
      input.removeListener('data', onData);
      setRaw(false);
      input.pause();
      output.write('\n');
      if (err) reject(err);
      else resolve(typed);
    };
    const onData = (data: Buffer | string) => {
      for (const ch of data.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return done(new UsageError('interrupted'));
        if (ch === '\u0004') return done(typed ? undefined : new UsageError('no password given'));
        if (ch === '\u007f' || ch === '\b') typed = typed.slice(0, -1);
        else typed += ch;
      }
    };
    input.on('data', onData);
  });
}

/** Reads one visible line (the email) from a terminal. */
export async function promptLine(prompt: string, input: TtyInput, output: NodeJS.WritableStream): Promise<string> {
  if (!input.isTTY) throw new UsageError('no terminal to ask for the email: pass --email');
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input, output, terminal: true });
  try {
    return (await rl.question(prompt)).trim();
  } finally {
    rl.close();
  }
}

/**
 * `n` passwords from stdin, one a line (e.g. the current and the new one for `users
 * set-password --password-stdin`); a line may hold any character but a newline.
 */
export async function readPasswordLines(input: NodeJS.ReadableStream, n: number, what: string): Promise<string[]> {
  const chunks: Buffer[] = [];
  for await (const chunk of input) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  const lines = Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '')
    .split(/\r?\n/);
  if (lines.length !== n || lines.some((l) => !l)) throw new UsageError(`--password-stdin: give ${what} on stdin, one a line`);
  return lines;
}

/** A new password typed twice with echo off; the two must match. */
export async function promptNewPassword(prompt: string, input: TtyInput, output: NodeJS.WritableStream): Promise<string> {
  const first = await promptHidden(prompt, input, output);
  if (!first) throw new UsageError('no password given');
  const again = await promptHidden('Repeat it: ', input, output);
  if (again !== first) throw new UsageError('the two passwords differ');
  return first;
}
