// Compares two V8 heap snapshots (.heapsnapshot, as --heapsnapshot-signal writes them): the
// objects per constructor in each, and what grew most. Used by bench/command-soak.mjs; also
// runnable alone: node bench/heap-diff.mjs before.heapsnapshot after.heapsnapshot
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/** Count and self size per "type:name" (constructor name for objects) of one snapshot. */
export function heapByConstructor(path) {
  let snap;
  try {
    snap = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    // Never echo the snapshot itself: it is hundreds of megabytes.
    throw new Error(`${path} is not a complete heap snapshot: ${String(err.message).slice(0, 80)}`, { cause: err });
  }
  const { node_fields: fields, node_types: types } = snap.snapshot.meta;
  const width = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const typeNames = types[typeAt];
  const out = new Map();
  let total = 0;
  for (let i = 0; i < snap.nodes.length; i += width) {
    const type = typeNames[snap.nodes[i + typeAt]];
    // Strings, code and numbers are grouped by type; objects by constructor name.
    const key = type === 'object' || type === 'closure' ? `${type}:${snap.strings[snap.nodes[i + nameAt]]}` : type;
    const size = snap.nodes[i + sizeAt];
    total += size;
    const e = out.get(key) ?? { count: 0, size: 0 };
    e.count++;
    e.size += size;
    out.set(key, e);
  }
  return { total, byKey: out };
}

/** The `top` keys whose self size grew most from `a` to `b`. */
export function heapGrowth(a, b, top = 10) {
  const keys = new Set([...a.byKey.keys(), ...b.byKey.keys()]);
  return [...keys]
    .map((key) => {
      const x = a.byKey.get(key) ?? { count: 0, size: 0 };
      const y = b.byKey.get(key) ?? { count: 0, size: 0 };
      return { key, count: y.count - x.count, size: y.size - x.size, after: y };
    })
    .sort((p, q) => q.size - p.size)
    .slice(0, top);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [a, b] = [heapByConstructor(process.argv[2]), heapByConstructor(process.argv[3])];
  console.log(`heap: ${(a.total / 2 ** 20).toFixed(1)} MiB → ${(b.total / 2 ** 20).toFixed(1)} MiB`);
  for (const g of heapGrowth(a, b)) console.log(`${g.key}: ${g.count >= 0 ? '+' : ''}${g.count} objects, ${(g.size / 1024).toFixed(0)} KiB`);
}
