// `xdp-doctor checks [--config FILE] [--plugin PATH|NAME]... [--json]`: every check a run could climb, with its
// rung, its source (built-in or plugin name@version) and the tools it needs; plugins that did not load are listed
// with the reason. Loading a plugin imports its code, so this names exactly what a run would load.
import { parseArgs } from 'node:util';
import type { IO } from '../command-io.js';
import { BUILTIN_CHECKS } from '../../checks/index.js';
import { TargetError } from '../targets.js';
import { loadCatalog, type Catalog } from './plan.js';

const USAGE = 'usage: xdp-doctor checks [--config FILE] [--plugin PATH|NAME]... [--json]';

interface CheckListing {
  id: string;
  title: string;
  rung: number;
  source: string;
  needs: string[];
  after: string[];
  observes: boolean;
  timeoutMs?: number;
  question?: string;
  disabled: boolean;
}

export async function checksCommand(argv: string[], io: IO, cwd = process.cwd()): Promise<number> {
  let values: { config?: string; plugin?: string[]; json?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv, allowPositionals: false, strict: true,
      options: { config: { type: 'string' }, plugin: { type: 'string', multiple: true }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (e) {
    io.stderr.write(`xdp-doctor checks: ${(e as Error).message.split('\n')[0]}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) { io.stdout.write(`${USAGE}\n`); return 0; }
  let catalog: Catalog;
  try {
    catalog = await loadCatalog({ config: values.config, plugins: values.plugin ?? [] }, { cwd, builtins: BUILTIN_CHECKS });
  } catch (e) {
    if (e instanceof TargetError) { io.stderr.write(`xdp-doctor: ${e.message}\n`); return 2; }
    throw e;
  }
  const checks = listing(catalog);
  if (values.json) {
    const doc = {
      config: catalog.configPath ?? null,
      checks,
      plugins: catalog.loaded.map((p) => ({ name: p.name, version: p.version, from: p.from, checks: p.plugin.checks.map((c) => c.id) })),
      warnings: catalog.failures.map((f) => ({ id: `plugin:${f.name}`, plugin: f.name, from: f.from, message: f.reason })),
    };
    io.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
    return 0;
  }
  io.stdout.write(renderListing(checks, catalog));
  return 0;
}

function listing(catalog: Catalog): CheckListing[] {
  return [...catalog.all]
    .sort((a, b) => a.check.rung - b.check.rung)
    .map(({ check: c, source }) => ({
      id: c.id, title: c.title, rung: c.rung, source,
      needs: [...(c.needs ?? [])], after: [...(c.after ?? [])], readsLater: [...(c.readsLater ?? [])], observes: Boolean(c.observes),
      ...(c.timeoutMs !== undefined ? { timeoutMs: c.timeoutMs } : {}),
      ...(c.question ? { question: c.question } : {}),
      disabled: catalog.disabled.has(c.id),
    }));
}

function renderListing(checks: CheckListing[], catalog: Pick<Catalog, 'configPath' | 'failures'>): string {
  const rows = [['RUNG', 'ID', 'TITLE', 'SOURCE', 'NEEDS'], ...checks.map((c) => [
    String(c.rung), c.id, c.title + (c.disabled ? ' (disabled in config)' : ''), c.source, c.needs.join(', ') || '-',
  ])];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd());
  const plugins = new Set(checks.filter((c) => c.source !== 'built-in').map((c) => c.source)).size;
  const out = [
    `${checks.length} check(s): ${checks.filter((c) => c.source === 'built-in').length} built-in, ${checks.length - checks.filter((c) => c.source === 'built-in').length} from ${plugins} plugin(s)${catalog.configPath ? ` (config ${catalog.configPath})` : ''}`,
    '',
    ...lines,
  ];
  if (catalog.failures.length) {
    out.push('', 'Plugins not loaded:');
    for (const f of catalog.failures) out.push(`  [!] ${f.name}: ${f.reason}`);
  }
  out.push('', 'Run some: xdp-doctor --checks ID,... · leave some out: --skip ID,... · details: docs/plugins.md');
  return `${out.join('\n')}\n`;
}
