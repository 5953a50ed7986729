// Precondition: the object is a BPF ELF file with an XDP program, and `--prog` names one of its programs.
import type { Check, CheckResult } from '../engine/types.js';
import { ElfError, gplCompatible, isFragsSection, isXdpSection, lineInfo, parseBpfObject } from '../tools/bpf-elf.js';
import { FACT, requestOf, type ObjectFacts } from './context.js';

export const objectRung: Check = {
  id: 'object', title: 'Object', rung: 1, question: 'Is there an XDP program in the object, by the name asked for?',
  async run(ctx): Promise<CheckResult> {
    const req = requestOf(ctx);
    const bytes = await ctx.tools.files.readBytes(req.object);
    const fail = (error: string): CheckResult => {
      ctx.facts.set(FACT.object, { error } satisfies ObjectFacts);
      return { status: 'fail', summary: error, evidence: [{ label: 'object', data: req.object }], findings: [] };
    };
    if (!bytes) return fail(`${req.object} cannot be read`);
    let info;
    let lines;
    try { info = parseBpfObject(bytes); lines = lineInfo(bytes); } catch (e) {
      if (e instanceof ElfError) return fail(`${req.object} is not a BPF object (${e.message})`);
      throw e;
    }
    const xdp = info.programs.filter((p) => isXdpSection(p.section));
    const chosen = req.prog ? info.programs.find((p) => p.name === req.prog) : xdp[0];
    const evidence = [{
      label: 'programs', data: info.programs.map((p) => `${p.name} (section ${p.section})`).join(', ') || 'none',
    }, {
      label: 'object', data: { license: info.license ?? null, btf: info.btf, lineInfo: info.lineInfo },
    }];
    ctx.facts.set(FACT.object, { info, chosen, lines } satisfies ObjectFacts);
    if (req.prog && !chosen) {
      return {
        status: ctx.tools.dryRun ? 'fail' : 'warn', evidence,
        summary: `no program named ${req.prog} in ${req.object}; it has ${names(info.programs)}`,
        findings: [{
          cause: 'attach-prog-not-found', risk: true,
          message: `--prog ${req.prog} is not in ${req.object}, whose programs are ${names(info.programs)}`,
          fixes: info.programs.filter((p) => isXdpSection(p.section)).map((p) => ({
            title: `attach ${p.name} (section ${p.section})`,
            commands: [['xdp-doctor', 'attach', req.object, '--iface', req.iface, '--prog', p.name]],
          })),
        }],
      };
    }
    if (!chosen) return { status: 'fail', summary: `${req.object} has no XDP program (sections: ${[...new Set(info.programs.map((p) => p.section))].join(', ') || 'none'})`, evidence, findings: [] };
    const notes = [
      isFragsSection(chosen.section) ? 'frags-aware (xdp.frags)' : 'not frags-aware',
      info.lineInfo ? 'line info for the verifier log' : 'no BTF line info: verifier messages will not name source lines (build with -g)',
      ...(gplCompatible(info.license) ? [] : [`license ${JSON.stringify(info.license ?? '(none)')} is not GPL-compatible: GPL-only helpers (bpf_trace_printk…) will be refused`]),
    ];
    return { status: 'pass', summary: `${chosen.name} (section ${chosen.section}): ${notes.join('; ')}`, evidence, findings: [] };
  },
};

const names = (ps: { name: string }[]) => ps.map((p) => p.name).join(', ') || 'none';
