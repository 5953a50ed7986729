// The merged fleet report as text (the default of `xdp-doctor merge`) and Markdown (fleet.md): the hosts, the
// causes with their hosts, what the failing hosts share that the healthy do not, what differs, what was unreadable.
// Both render the FleetReport the engine made; neither re-derives anything.
import type { FleetHost, FleetReport } from '../engine/fleet-merge.js';

const STATE_MARK: Record<FleetHost['state'], string> = { healthy: '✓', failing: '✗', inconclusive: '!' };

function hostWhat(h: FleetHost): string {
  if (h.topCause) return `${h.topCause}${h.topTitle ? ` — ${h.topTitle}` : ''}${h.causes.length > 1 ? ` (+${h.causes.length - 1} more)` : ''}`;
  return h.state === 'healthy' ? 'healthy' : 'no cause diagnosed, but the run did not pass (a rung errored or was interrupted)';
}

function hostContext(h: FleetHost): string {
  const id = h.identity;
  if (!id) return `report schema ${h.schemaVersion}, no host identity`;
  const prog = id.program ? `${id.program.name ?? '?'} tag ${id.program.tag ?? '?'}` : 'no program';
  const nic = id.nic?.driver ? `${id.nic.iface} ${id.nic.driver}${id.nic.firmware ? ` fw ${id.nic.firmware}` : ''}` : id.nic ? `${id.nic.iface} (${id.nic.error ?? 'driver unknown'})` : '';
  return [id.hostname, id.kernel, nic, prog].filter(Boolean).join(', ');
}

export function renderFleetText(f: FleetReport): string {
  const out: string[] = [`xdp-doctor merge — ${f.hosts.length} host(s): ${f.failing.length} failing, ${f.healthy.length} healthy${f.inconclusive.length ? `, ${f.inconclusive.length} inconclusive` : ''}${f.unreadable.length ? `, ${f.unreadable.length} unreadable` : ''}`, ''];
  const width = Math.min(24, Math.max(4, ...f.hosts.map((h) => h.host.length)));
  out.push('Hosts:');
  for (const h of f.hosts) {
    out.push(`  ${STATE_MARK[h.state]} ${h.host.padEnd(width)}  exit ${h.exitCode}  ${hostWhat(h)}`);
    out.push(`    ${''.padEnd(width)}  ${hostContext(h)}`);
  }
  out.push('');
  if (f.causes.length) {
    out.push('Causes (most hosts first):');
    for (const c of f.causes) {
      out.push(`  ${c.cause}${c.title ? ` — ${c.title}` : ''}`);
      out.push(`    hosts: ${c.hosts.join(', ')}${c.topIn.length !== c.hosts.length ? ` (top cause on ${c.topIn.join(', ') || 'none'})` : ''}`);
      if (c.shared.length) out.push('    on these hosts and on no healthy one:', ...c.shared.map((s) => `      ${s.attribute} = ${s.value}`));
    }
    out.push('');
  } else if (f.hosts.length) out.push('Causes: none on any host.', '');
  if (f.failing.length) {
    if (!f.healthy.length) out.push('Failing hosts share: no healthy host to compare with.');
    else if (!f.shared.length) out.push('Failing hosts share nothing the healthy hosts lack (program tag, kernel, driver, firmware, map entries).');
    else {
      out.push('Every failing host has, and no healthy host has:');
      for (const s of f.shared) out.push(`  ${s.attribute} = ${s.value}`);
    }
    out.push('');
  }
  if (f.differences.length) {
    out.push('Differs between hosts:');
    for (const d of f.differences) {
      out.push(`  ${d.attribute}:`);
      for (const [host, v] of Object.entries(d.values)) out.push(`    ${host.padEnd(width)}  ${v ?? '(unknown)'}`);
    }
    out.push('');
  }
  if (f.unreadable.length) {
    out.push('Unreadable reports (left out of the merge):');
    for (const u of f.unreadable) out.push(`  ${u.file}: ${u.reason}`);
    out.push('');
  }
  out.push(`Exit ${f.exitCode}: ${exitWords(f)}`);
  return `${out.join('\n')}\n`;
}

export function renderFleetMarkdown(f: FleetReport): string {
  const out: string[] = ['# xdp-doctor fleet report', '',
    `${f.hosts.length} host(s): ${f.failing.length} failing, ${f.healthy.length} healthy${f.inconclusive.length ? `, ${f.inconclusive.length} inconclusive` : ''}${f.unreadable.length ? `, ${f.unreadable.length} unreadable` : ''}. Exit ${f.exitCode}: ${exitWords(f)}`, '',
    '## Hosts', '', '| | host | exit | top cause | kernel | NIC | program |', '|---|---|---|---|---|---|---|'];
  for (const h of f.hosts) {
    const id = h.identity;
    const nic = id?.nic ? `${id.nic.iface} ${id.nic.driver ?? `(${id.nic.error ?? '?'})`}${id.nic.firmware ? ` fw ${id.nic.firmware}` : ''}` : '';
    const prog = id?.program ? `${id.program.name ?? '?'} \`${id.program.tag ?? '?'}\`` : '';
    out.push(`| ${STATE_MARK[h.state]} | ${cell(h.host)} | ${h.exitCode} | ${h.topCause ? `\`${h.topCause}\`` : h.state} | ${cell(id?.kernel ?? '')} | ${cell(nic)} | ${cell(prog)} |`);
  }
  out.push('');
  if (f.causes.length) {
    out.push('## Causes', '');
    for (const c of f.causes) {
      out.push(`- \`${c.cause}\`${c.title ? ` — ${c.title}` : ''}: ${c.hosts.join(', ')}`);
      for (const s of c.shared) out.push(`  - on these hosts and on no healthy one: ${s.attribute} = \`${s.value}\``);
    }
    out.push('');
  }
  if (f.failing.length) {
    out.push('## What the failing hosts share', '');
    if (!f.healthy.length) out.push('No healthy host to compare with.');
    else if (!f.shared.length) out.push('Nothing the healthy hosts lack (program tag, kernel, driver, firmware, map entries).');
    else for (const s of f.shared) out.push(`- ${s.attribute} = \`${s.value}\``);
    out.push('');
  }
  if (f.differences.length) {
    const hosts = f.hosts.map((h) => h.host);
    out.push('## Differs between hosts', '', `| | ${hosts.map(cell).join(' | ')} |`, `|---|${hosts.map(() => '---').join('|')}|`);
    for (const d of f.differences) out.push(`| ${cell(d.attribute)} | ${hosts.map((h) => cell(d.values[h] ?? '')).join(' | ')} |`);
    out.push('');
  }
  if (f.unreadable.length) {
    out.push('## Unreadable reports', '', ...f.unreadable.map((u) => `- ${cell(u.file)}: ${u.reason}`), '');
  }
  return out.join('\n');
}

function exitWords(f: FleetReport): string {
  if (f.exitCode === 2) return 'a report could not be read; the others are merged above';
  if (f.exitCode === 1) return f.failing.length ? 'a host has a cause' : 'a host did not pass';
  return f.hosts.length ? 'every host healthy' : 'no host';
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
