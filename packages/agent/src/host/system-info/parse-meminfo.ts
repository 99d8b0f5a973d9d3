export interface MemoryFacts {
  totalBytes: number;
  availableBytes: number;
}

/**
 * /proc/meminfo, in kB. MemAvailable (Linux ≥ 3.14) is the kernel's own estimate
 * of what can be allocated without swapping; older kernels lack it, and
 * MemFree + Buffers + Cached is the usual stand-in. Undefined when MemTotal is missing.
 */
export function parseMeminfo(text: string): MemoryFacts | undefined {
  const kb = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^(\w+):\s+(\d+)\s*kB/.exec(line);
    if (m) kb.set(m[1]!, Number(m[2]));
  }
  const total = kb.get('MemTotal');
  if (total === undefined) return undefined;
  const available = kb.get('MemAvailable') ?? (kb.get('MemFree') ?? 0) + (kb.get('Buffers') ?? 0) + (kb.get('Cached') ?? 0);
  return { totalBytes: total * 1024, availableBytes: available * 1024 };
}
