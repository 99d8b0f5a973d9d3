/**
 * "127.0.0.2-127.0.0.9" or "127.0.0.2,127.0.0.3": the source addresses to spread sockets over. A range
 * varies the last octet only, which is all loopback needs (127.0.0.0/8 is local on Linux).
 */
export function parseLocalAddresses(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .flatMap((part) => {
      const range = /^(\d+\.\d+\.\d+\.)(\d+)-(?:\d+\.\d+\.\d+\.)?(\d+)$/.exec(part);
      if (!range) return [part];
      const [, prefix, from, to] = range;
      const out: string[] = [];
      for (let i = Number(from); i <= Number(to); i++) out.push(`${prefix}${i}`);
      return out;
    });
}
