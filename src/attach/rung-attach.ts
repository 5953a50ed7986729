// The attach itself: iproute2 loads the object and attaches the program the way the user asked. On success the
// report says what runs where (mode, program id, maps) and how to detach; the attach is in the fix log so
// `xdp-doctor undo` detaches it. On failure the kernel's (or the verifier's) words become the observed finding
// that ranks first in the diagnosis. --dry-run prints the argv and runs nothing here.
import type { Check, CheckResult, Evidence } from '../engine/types.js';
import { parseAttachFailure } from '../tools/attach-output.js';
import { locateSource } from '../tools/verifier-log.js';
import { causeInfo } from '../kb/causes.js';
import { shellQuote } from '../report/format.js';
import { inNetns } from '../tools/netns.js';
import { effectiveMode, facts, FACT, requestOf } from './context.js';
import { explainFailure } from './explain-failure.js';
import { attachArgv, detachArgv, type AttachMode } from './request.js';
import { runBounded } from './bounded-run.js';
import { logAttach } from './attach-log.js';

export const attachRung: Check = {
  id: 'attach', title: 'Attach', rung: 8, after: ['object', 'device', 'mtu', 'queues', 'virtio', 'hook', 'privileges'],
  question: 'Does the kernel take the program?',
  // A program too large to verify takes the verifier seconds and prints ~100 MB through libbpf.
  timeoutMs: 240_000,
  async run(ctx): Promise<CheckResult> {
    const req = requestOf(ctx);
    const obj = facts.object(ctx);
    const dev = facts.device(ctx);
    if (obj.error || dev.error) return { status: 'skip', summary: `nothing to attach: ${obj.error ?? dev.error}`, evidence: [], findings: [] };
    const argv = attachArgv(req, req.mode, obj.chosen?.section);
    // Detach in the mode the kernel will use: `xdp off` for auto detaches what `xdp obj` attached (same dev_xdp_mode()).
    const detach = detachArgv(req.iface, req.mode);
    const full = inNetns(argv, req.netns);
    if (ctx.tools.dryRun) {
      const predicted = [...new Set(ctx.facts.get<string[]>(FACT.predicted) ?? [])];
      return {
        status: predicted.length ? 'fail' : 'pass', evidence: [{ label: 'would run', data: shellQuote(full), command: full }], findings: [],
        summary: `would run: ${shellQuote(full)}${predicted.length ? `; the preconditions predict a refusal (${predicted.join(', ')}: see the notes)` : ''}`,
      };
    }
    const name = req.prog ?? obj.chosen?.name ?? 'the program';
    const { result } = await logAttach(ctx.tools.exec, { title: `attach ${name} from ${req.object} to ${req.iface} (${req.mode})`, attach: argv, detach, netns: req.netns },
      () => runBounded(ctx.tools.exec, argv, { netns: req.netns, signal: ctx.signal }));
    const said: Evidence = { label: 'iproute2', data: result.stderr.trim() || '(nothing)', command: result.argv };
    if (!result.ok) {
      const failure = parseAttachFailure(result.stderr);
      if (failure.kind === 'load' && obj.chosen) {
        const source = locateSource(failure.rejection, obj.lines ?? [], obj.chosen.section);
        if (source) failure.rejection.source = source;
      }
      const finding = explainFailure(ctx, failure);
      // The finding carries the kernel's words and the numbers; the rung's line names the cause.
      return { status: 'fail', summary: causeInfo(finding.cause)?.title ?? finding.message, evidence: [said], findings: [finding] };
    }
    return attached(ctx, req.mode, detach, said);
  },
};

async function attached(ctx: Parameters<Check['run']>[0], mode: AttachMode, detach: string[], said: Evidence): Promise<CheckResult> {
  const req = requestOf(ctx);
  const [link] = await ctx.tools.ip.links(req.netns, { details: true, iface: req.iface });
  const now = link?.xdp;
  const detachCmd = shellQuote(inNetns(detach, req.netns));
  if (!now) return { status: 'fail', summary: `iproute2 exited 0 but no program is attached to ${req.iface}`, evidence: [said], findings: [] };
  const prog = await ctx.tools.bpftool.prog(now.progId).catch(() => undefined);
  const maps = await Promise.all((prog?.mapIds ?? []).map((id) => ctx.tools.bpftool.map(id).then((m) => `${m.name} (${m.type}, id ${m.id})`).catch(() => `id ${id}`)));
  const expected = effectiveMode(req, facts.device(ctx));
  const modeNote = mode === 'auto' ? ` (auto: the kernel chose ${now.mode}${expected && expected !== now.mode ? `, not ${expected}` : ''})` : '';
  return {
    status: 'pass',
    summary: `attached ${now.progName ?? 'program'} (id ${now.progId}) to ${req.iface} in ${now.mode} mode${modeNote}; maps: ${maps.join(', ') || 'none'}; detach: xdp-doctor undo, or ${detachCmd}`,
    evidence: [
      { label: 'attached', data: { iface: req.iface, mode: now.mode, progId: now.progId, name: now.progName ?? null, tag: now.tag ?? null, maps } },
      { label: 'detach', data: `xdp-doctor undo   (runs: ${detachCmd})` },
      said,
    ],
    findings: [],
  };
}
