// A failed attach, read from what iproute2 printed, becomes one observed finding: the cause from the knowledge base,
// the kernel's own words quoted, and fixes carrying this host's numbers from the precondition rungs' facts.
import type { CheckContext, Finding, Fix } from '../engine/types.js';
import type { AttachFailure } from '../tools/attach-output.js';
import { findRefusal } from '../kb/attach-refusals.js';
import { classifyRejection } from '../kb/verifier-rules.js';
import { lookupErrno } from '../kb/errnos.js';
import { isXdpSection } from '../tools/bpf-elf.js';
import { facts, requestOf } from './context.js';
import { vethMtuFixes } from './rung-mtu.js';
import { queueFixes } from './rung-queues.js';
import { describe, dispatcherFixes, linkFixes, replaceFixes } from './rung-hook.js';
import { DISPATCHER_NAME } from '../tools/xdp-loader.js';
import { attachArgv } from './request.js';

export function explainFailure(ctx: CheckContext, failure: AttachFailure): Finding {
  const req = requestOf(ctx);
  switch (failure.kind) {
    case 'refused': return refusal(ctx, failure.message);
    case 'load': return rejection(ctx, failure.rejection);
    case 'not-in-object': {
      const programs = facts.object(ctx).info?.programs ?? [];
      return {
        cause: 'attach-prog-not-found', iface: req.iface,
        message: `iproute2: "object file doesn't contain ${failure.what} ${failure.name}"; ${req.object} has ${programs.map((p) => `${p.name} (section ${p.section})`).join(', ') || 'no programs'}`,
        fixes: programs.filter((p) => isXdpSection(p.section)).map((p) => ({ title: `attach ${p.name}`, commands: [['xdp-doctor', 'attach', req.object, '--iface', req.iface, '--prog', p.name]] })),
      };
    }
    case 'other': return { cause: /libbpf|load/i.test(failure.text) ? 'load-failed' : 'attach-refused', iface: req.iface, message: `the loader said: ${failure.text}`, fixes: [] };
  }
}

function refusal(ctx: CheckContext, message: string): Finding {
  const req = requestOf(ctx);
  const row = findRefusal(message);
  const base = { iface: req.iface, ...(row ? { errno: { value: row.errno, name: row.errnoName } } : {}) };
  const quoted = `the kernel refused the attach: "${message}"${row ? ` (${row.source.split(':')[0]})` : ''}`;
  if (!row) return { ...base, cause: 'attach-refused', message: quoted, fixes: [] };
  const dev = facts.device(ctx);
  const detail = (): { text: string; fixes: Fix[]; cause?: string } => {
    switch (row.cause) {
      case 'attach-veth-peer-mtu': {
        const m = facts.mtu(ctx);
        if (!m || !dev.peer) return { text: '', fixes: [] };
        return { text: `: peer ${dev.peer.link.ifname} has MTU ${m.peerMtu}, the limit for this program (${m.frags ? 'frags' : 'no frags'}) is ${m.limit} on this host`, fixes: vethMtuFixes(ctx, m.limit, m.peerMtu) };
      }
      case 'attach-veth-queues': {
        const q = facts.queues(ctx);
        return { text: dev.peer ? `: ${req.iface} has ${q.rx ?? '?'} RX queue(s), its peer ${dev.peer.link.ifname} ${q.peerTx ?? '?'} TX queue(s)` : '', fixes: queueFixes(ctx) };
      }
      case 'attach-native-unsupported':
        return { text: `: ${req.iface} is ${dev.driver ?? dev.link?.kind ?? 'a device'} without native XDP; generic mode runs the program in the stack`, fixes: [{ title: `attach in generic mode on ${req.iface}`, commands: [attachArgv(req, 'generic', facts.object(ctx).chosen?.section)], netns: req.netns }] };
      case 'attach-mode-conflict':
      case 'attach-already-attached': {
        const now = dev.link?.xdp;
        if (now?.progName === DISPATCHER_NAME) return { text: `: libxdp's dispatcher (${describe(now)}) is on ${req.iface}`, fixes: dispatcherFixes(ctx, now), cause: 'attach-libxdp-dispatcher' };
        return now ? { text: `: ${describe(now)} is on ${req.iface}`, fixes: replaceFixes(ctx, now) } : { text: '', fixes: [] };
      }
      case 'attach-link-held': {
        const hook = facts.hook(ctx);
        const h = hook.holders;
        return { text: hook.link ? `: bpf_link ${hook.link.id} holds program ${hook.link.progId ?? '?'}${h.length ? `, held open by ${h.map((x) => `pid ${x.pid} (${x.comm ?? '?'})`).join(', ')}` : ''}` : '', fixes: linkFixes(hook) };
      }
      default: return { text: '', fixes: [] };
    }
  };
  const d = detail();
  return { ...base, cause: d.cause ?? row.cause, message: `${quoted}${d.text}`, fixes: d.fixes };
}

function rejection(ctx: CheckContext, r: import('../tools/verifier-log.js').VerifierRejection): Finding {
  const req = requestOf(ctx);
  const errno = r.errno !== undefined ? lookupErrno(r.errno) : undefined;
  const { rule } = classifyRejection(r.message, r.walk.join('\n'));
  const where = r.source ? `${r.source.file}:${r.source.line} \`${r.source.text}\`` : r.insn ? `instruction ${r.insn.index}` : 'load';
  const words = r.message.slice(0, 3).join(' / ') || '(no message)';
  const cause = rule?.cause ?? (r.hasLog ? 'verifier-rejected' : 'load-failed');
  const said = r.hasLog
    ? `the verifier rejected ${r.program ?? 'the program'} at ${where}: ${words}${r.insn ? ` (insn ${r.insn.index}: ${r.insn.text})` : ''}`
    : `libbpf could not load ${r.program ?? 'the program'}: ${words}`;
  return {
    cause, iface: req.iface, ...(errno ? { errno: { value: errno.value, name: errno.name } } : {}),
    message: rule ? `${said} — ${rule.rule}` : said,
    fixes: rule ? [{ title: `${r.source ? `at ${r.source.file}:${r.source.line}, ` : ''}the verifier needs: ${rule.needs}`, commands: [] }] : [],
  };
}
