// `xdp-doctor attach OBJECT --iface IFACE`: the preconditions, then the attach, as one run of the same engine the
// ladder uses (runLadder → RunReport → diagnosis), rendered by the same views (text, --json, --report FILE.md|json).
// Owns its signal handling like the ladder: Ctrl-C and SIGTERM stop every child; exit 130.
import { writeFile } from 'node:fs/promises';
import type { IO } from '../command-io.js';
import type { RunReport } from '../engine/types.js';
import { UsageError } from '../cli-args.js';
import { parseAttachArgs } from './request.js';
import { attachPlan, attachTarget } from './plan.js';

const ATTACH_USAGE = 'usage: xdp-doctor attach OBJECT.o --iface IFACE [--netns NS|--container NAME]\n' +
  '                         [--mode native|generic|auto] [--prog NAME] [--dry-run] [--json] [-v]';

const ATTACH_HELP = `${ATTACH_USAGE}

Loads OBJECT and attaches its XDP program to IFACE with iproute2 (ip link set dev IFACE
xdpdrv|xdpgeneric|xdp obj OBJECT sec SECTION|program NAME), after checking what would make the
kernel refuse it: the device and whether its driver has native XDP, a veth peer's MTU against
this host's limit (page size, headroom, frags), veth queue counts, a program (or a bpf_link and
the process holding it) already on the hook, capabilities and bpffs.

Attached: the report says the mode, the program id, its maps and how to detach (exit 0), and
\`xdp-doctor undo\` detaches it. Refused: diagnosis[0] names the cause, quotes the kernel's
message (or the verifier's rejected source line and the rule it broke) and gives the fix with
this host's numbers (exit 1). An object that cannot be read or a device that is not there: exit 2.

  --iface IFACE      the interface (required)
  --netns NS         its namespace: a name from \`ip netns list\`, /run/netns/NAME or /proc/PID/ns/net
  --container NAME   ...or the network namespace of a docker, podman or crictl container
  --mode MODE        native (driver), generic (skb), or auto (default): native where the driver can
  --prog NAME        the program's function name when the object has several (default: its first)
  --dry-run          run the read-only preconditions and print the attach's argv; change nothing
  --json             the report as JSON (docs/report-schema.md); --report FILE writes it as well
  -v, --verbose      every piece of evidence and every command

Examples
  xdp-doctor attach build/xdp_lb.o --iface eth0 --dry-run
  xdp-doctor attach build/filter.o --iface veth0 --netns lb --mode native --prog xdp_filter
`;

export async function attachCommand(argv: string[], io: IO): Promise<number> {
  let args;
  try {
    args = parseAttachArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) { io.stderr.write(`xdp-doctor attach: ${e.message}\n${ATTACH_USAGE}\n`); return 2; }
    throw e;
  }
  if (args.help || !args.request) { io.stdout.write(ATTACH_HELP); return 0; }
  const [{ runLadder }, { realExec, killAllChildren }, { realFiles }, { shutdownSignal, interruptedBy }, { toolStatus }, { packageVersion }, { renderText }] = await Promise.all([
    import('../engine/ladder.js'), import('../tools/exec.js'), import('../tools/files.js'), import('../shutdown.js'),
    import('../tools/versions.js'), import('../paths.js'), import('../report/text.js'),
  ]);
  if (args.container) {
    const { containerNetns, ContainerError } = await import('../containers.js');
    try {
      args.request.netns = await containerNetns(realExec, args.container);
    } catch (e) {
      if (e instanceof ContainerError) { io.stderr.write(`xdp-doctor attach: ${e.message}\n`); return 2; }
      throw e;
    }
  }
  try {
    const report = await runLadder({
      target: attachTarget(args.request), exec: realExec, files: realFiles, checks: attachPlan(args.request), signal: shutdownSignal,
      dryRun: args.dryRun, toolStatus: toolStatus(), tool: { name: 'xdp-doctor attach', version: packageVersion() },
      emit: (e) => { if (!args.json && (io.stderr as NodeJS.WriteStream).isTTY && e.type === 'check-start') io.stderr.write(`… ${e.id}\n`); },
    });
    // Nothing to attach (the object is unreadable, the device is not there): a usage or target error, like the ladder's.
    const attach = report.checks.find((c) => c.id === 'attach');
    if (attach?.status === 'skip' && /^nothing to attach/.test(attach.summary)) report.exitCode = 2;
    if (interruptedBy() !== undefined) report.exitCode = 130;
    if (args.report) await writeReport(args.report, report);
    io.stdout.write(args.json ? `${JSON.stringify(report, null, 2)}\n` : renderText(report, { verbose: args.verbose }));
    return report.exitCode;
  } finally {
    killAllChildren('SIGKILL');
  }
}

export { attachPlan as plan, attachTarget as targetOf };

async function writeReport(path: string, report: RunReport): Promise<void> {
  const { renderMarkdown } = await import('../report/markdown.js');
  await writeFile(path, path.toLowerCase().endsWith('.json') ? `${JSON.stringify(report, null, 2)}\n` : renderMarkdown(report));
}
