import { enableCompileCache } from 'node:module';
import { holdPortWhileStarting } from './startup/starting-listener.js';

// The agents' port is taken first (node:http only), so a restarted hub answers
// "not ready, retry after" from its first second instead of refusing connections
// while it loads: see startup/starting-listener.ts. Then V8's on-disk compile
// cache (a no-op where the cache directory is not writable) and the hub itself.
const held = await holdPortWhileStarting(process.env);
enableCompileCache();
const { startHub } = await import('./start-hub.js');
startHub(held);
