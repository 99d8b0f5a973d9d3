// The wasm schema engine races some operations against 10 s timers (created through its
// `__wbg_setTimeout_*` binding) and has no clearTimeout binding, so each finished
// operation leaves a live timer that holds the process open ~10 s after a migration.
// While an engine session runs, timers created by that binding are unref'd: they still
// fire if the process is alive, but no longer keep it alive. Other callers' timers are
// untouched, and the global is restored when the last session ends.
const ENGINE_TIMER_FRAME = /__wbg_setTimeout_/;

let activeSessions = 0;
let originalSetTimeout: typeof setTimeout | undefined;

export async function withUnrefEngineTimers<T>(work: () => Promise<T>): Promise<T> {
  if (activeSessions++ === 0) install();
  try {
    return await work();
  } finally {
    if (--activeSessions === 0) uninstall();
  }
}

function install(): void {
  const original = globalThis.setTimeout;
  originalSetTimeout = original;
  const wrapped = function (this: unknown, ...args: Parameters<typeof setTimeout>) {
    const timer = original.apply(this, args);
    if (ENGINE_TIMER_FRAME.test(new Error().stack ?? '')) timer.unref();
    return timer;
  };
  // Keeps setTimeout[util.promisify.custom] and friends working while installed.
  Object.defineProperties(wrapped, Object.getOwnPropertyDescriptors(original));
  globalThis.setTimeout = wrapped as typeof setTimeout;
}

function uninstall(): void {
  if (originalSetTimeout) globalThis.setTimeout = originalSetTimeout;
  originalSetTimeout = undefined;
}
