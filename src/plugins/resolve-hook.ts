// ESM resolve hook (module.register), installed before a plugin or config module is imported. When the
// plugin's own `import ... from 'xdp-doctor/plugin'` finds no xdp-doctor in its node_modules (a plugin file
// in /etc, xdp-doctor installed globally), it falls back to the running xdp-doctor. A plugin that has its own
// copy keeps it: this hook only answers what Node could not resolve.
interface HookData { targets: Record<string, string> }
interface ResolveResult { url: string; format?: string | null; shortCircuit?: boolean }
type NextResolve = (specifier: string, context: unknown) => Promise<ResolveResult>;

let targets: Record<string, string> = {};

export async function initialize(data: HookData): Promise<void> {
  targets = data?.targets ?? {};
}

export async function resolve(specifier: string, context: unknown, nextResolve: NextResolve): Promise<ResolveResult> {
  try {
    return await nextResolve(specifier, context);
  } catch (e) {
    const url = targets[specifier];
    if (url && (e as { code?: string }).code === 'ERR_MODULE_NOT_FOUND') return { url, format: 'module', shortCircuit: true };
    throw e;
  }
}
