// How plugin code finds the xdp-doctor that runs it. Kept apart so config.ts and load.ts can both use it.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

let hookInstalled = false;

/**
 * A plugin (or config) outside any project that has xdp-doctor installed still resolves `xdp-doctor/plugin`:
 * the resolve hook falls back to this running copy. Installed only when running from the build (dist/).
 */
export async function installResolveHook(): Promise<void> {
  if (hookInstalled) return;
  hookInstalled = true;
  const self = fileURLToPath(import.meta.url);
  if (!self.endsWith('.js')) return; // running from TypeScript sources (vitest): nothing to point at
  const hook = new URL('./resolve-hook.js', import.meta.url);
  if (!existsSync(fileURLToPath(hook))) return;
  const api = new URL('./api.js', import.meta.url).href;
  const targets = { 'xdp-doctor': api, 'xdp-doctor/plugin': api, 'xdp-doctor/testing': new URL('./testing.js', import.meta.url).href };
  const { register } = await import('node:module');
  register(hook.href, { data: { targets } });
}

