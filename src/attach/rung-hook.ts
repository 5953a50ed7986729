// Precondition: what is attached to the device now, in which mode, and whether a bpf_link (and which process)
// owns it: a program in the same mode is refused without -force (EBUSY), one in the other mode always (EEXIST),
// and a link-owned one can be replaced or removed only by the link's holder.
import type { Check, CheckContext, CheckResult, Finding, Fix } from '../engine/types.js';
import type { XdpAttachment } from '../tools/ip.js';
import { effectiveMode, facts, FACT, requestOf, type HookFacts } from './context.js';
import { attachArgv, detachArgv } from './request.js';
import { DISPATCHER_NAME } from '../tools/xdp-loader.js';

export const hookRung: Check = {
  id: 'hook', title: 'XDP hook', rung: 6, after: ['device'], question: 'Is a program attached already, and who holds it?',
  async run(ctx): Promise<CheckResult> {
    const req = requestOf(ctx);
    const dev = facts.device(ctx);
    if (!dev.link) return { status: 'skip', summary: 'no device', evidence: [], findings: [] };
    const now = dev.link.xdp;
    if (!now) {
      ctx.facts.set(FACT.hook, { holders: [] } satisfies HookFacts);
      return { status: 'pass', summary: `nothing attached to ${req.iface}`, evidence: [{ label: 'attached now', data: 'none' }], findings: [] };
    }
    const [link] = await ctx.tools.links.ofXdpProgram(now.progId);
    const holders = link ? await ctx.tools.links.holders(link.id) : [];
    // libxdp's dispatcher: the programs it runs are its components, listed by xdp-loader.
    const libxdp = now.progName === DISPATCHER_NAME ? await ctx.tools.xdpLoader.status(req.iface, req.netns) : undefined;
    const hook: HookFacts = { link, holders, ...(libxdp ? { components: libxdp.components.map((c) => `${c.name} (id ${c.id}, prio ${c.prio})`) } : {}) };
    ctx.facts.set(FACT.hook, hook);
    const evidence = [
      { label: 'attached now', data: describe(now) },
      ...(hook.components ? [{ label: 'libxdp dispatcher', data: `runs ${hook.components.join(', ') || 'no component'} (xdp-loader status)` }] : []),
      ...(link ? [{ label: 'bpf_link', data: `link ${link.id}, held by ${holders.map((h) => `pid ${h.pid} (${h.comm ?? '?'}) fd ${h.fd}`).join(', ') || 'no process (pinned in bpffs?)'}` }] : []),
    ];
    const finding = hookFinding(ctx, now, hook);
    return {
      status: finding ? (ctx.tools.dryRun ? 'fail' : 'warn') : 'pass', evidence, findings: finding ? [finding] : [],
      summary: `${describe(now)} on ${req.iface}${link ? `, owned by bpf_link ${link.id}` : ''}`,
    };
  },
};

/** The refusal a program already on the hook will cause, with what to do about it; undefined when none. */
function hookFinding(ctx: CheckContext, now: XdpAttachment, hook: HookFacts): Finding | undefined {
  const req = requestOf(ctx);
  const mode = effectiveMode(req, facts.device(ctx));
  const base = { iface: req.iface, progId: now.progId, risk: true as const };
  if (hook.link) {
    return { ...base, cause: 'attach-link-held', message: `${describe(now)} is attached through bpf_link ${hook.link.id}${holderText(hook)}: netlink can neither replace nor detach it`, fixes: linkFixes(hook) };
  }
  if (now.progName === DISPATCHER_NAME) {
    return { ...base, cause: 'attach-libxdp-dispatcher', message: `libxdp's dispatcher (${describe(now)}) is on the hook${hook.components?.length ? `, running ${hook.components.join(', ')}` : ''}: a plain attach is refused`, fixes: dispatcherFixes(ctx, now) };
  }
  if (mode && now.mode !== mode && (now.mode === 'native' || now.mode === 'generic')) {
    return { ...base, cause: 'attach-mode-conflict', message: `${describe(now)} is attached; a ${mode} program cannot be active with it`, fixes: replaceFixes(ctx, now) };
  }
  if (!mode || now.mode === mode) {
    return { ...base, cause: 'attach-already-attached', message: `${describe(now)} is attached already; iproute2 does not replace it without -force`, fixes: replaceFixes(ctx, now) };
  }
  return undefined;
}

export function replaceFixes(ctx: CheckContext, now: XdpAttachment): Fix[] {
  const req = requestOf(ctx);
  const m = now.mode === 'generic' ? 'generic' : 'native';
  const mode = effectiveMode(req, facts.device(ctx));
  const fixes: Fix[] = [{
    title: `detach program ${now.progId}${now.progName ? ` (${now.progName})` : ''} from ${req.iface} (${m} mode) first, then attach again`,
    commands: [detachArgv(req.iface, m)], netns: req.netns,
  }];
  // Same mode: the kernel swaps programs atomically when asked to (no window without a program).
  if (mode === m) {
    fixes.push({ title: `replace it in one step (iproute2 -force: no moment without a program)`, commands: [['ip', '-force', ...attachArgv(req, req.mode, facts.object(ctx).chosen?.section).slice(1)]], netns: req.netns });
  }
  return fixes;
}

/** libxdp's way: add the program to the dispatcher's chain, or take the whole chain off. */
export function dispatcherFixes(ctx: CheckContext, now: XdpAttachment): Fix[] {
  const req = requestOf(ctx);
  const m = now.mode === 'generic' ? 'skb' : 'native';
  return [
    { title: `add the program to libxdp's chain (the dispatcher runs it with the others; needs freplace, which some kernels refuse)`, commands: [['xdp-loader', 'load', '-m', m, req.iface, req.object]], netns: req.netns },
    { title: `remove the dispatcher and every program it runs, then attach again`, commands: [['xdp-loader', 'unload', req.iface, '--all']], netns: req.netns },
  ];
}

export function linkFixes(hook: HookFacts): Fix[] {
  if (!hook.link) return [];
  const h = hook.holders[0];
  return [{
    title: h
      ? `stop pid ${h.pid} (${h.comm ?? '?'}), which holds bpf_link ${hook.link.id} (its program detaches when the link's last fd closes), or have it replace the program with bpf_link_update()`
      : `bpf_link ${hook.link.id} has no holding process: it is pinned in bpffs; remove the pin (rm /sys/fs/bpf/…) or update it with bpftool link`,
    commands: h ? [['kill', String(h.pid)]] : [],
  }];
}

const holderText = (hook: HookFacts) => (hook.holders.length ? `, held by ${hook.holders.map((h) => `pid ${h.pid} (${h.comm ?? '?'})`).join(', ')}` : '');
export const describe = (a: XdpAttachment) => `program ${a.progId}${a.progName ? ` (${a.progName})` : ''} in ${a.mode} mode`;
