// --help teaches the ladder, not just the flags. The rung list is made from the registered checks
// (checks/index.ts), so it cannot drift from the ladder; main.ts imports the registry only for --help, and
// this module imports nothing, so --version and the ladder pay nothing for it.

/** What --help says about one rung: the fields every check declares. */
export interface HelpRung { id: string; title: string; rung: number; question?: string }

const WIDTH = 100;

export function helpText(rungs: readonly HelpRung[]): string {
  return `${BEFORE}${rungLines(rungs)}${AFTER}`;
}

/** One entry per rung in rung order: id and title, then the question it answers, wrapped under the title. */
export function rungLines(rungs: readonly HelpRung[]): string {
  const sorted = [...rungs].sort((a, b) => a.rung - b.rung);
  const idWidth = Math.max(...sorted.map((r) => r.id.length));
  const indent = ' '.repeat(2 + idWidth + 2);
  return sorted.map((r) => {
    const first = `  ${r.id.padEnd(idWidth)}  ${r.title}\n`;
    return first + (r.question ? wrap(r.question, WIDTH - indent.length).map((l) => `${indent}${l}\n`).join('') : '');
  }).join('');
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) { lines.push(line); line = word; } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

const BEFORE = `xdp-doctor — finds where the packets of a loaded XDP program vanish

Usage
  xdp-doctor [target] [options]         climb the ladder, print a ranked diagnosis
  xdp-doctor lab <up|down|status|probe|break|fix> [options]
                                        the blog's load balancer in network namespaces
  xdp-doctor explain <errno> [--tracepoint TP] [--driver DRV]
                                        what an errno means for XDP, from kernel source
  xdp-doctor checks [--config FILE] [--plugin PATH|NAME]... [--json]
                                        every check: id, title, rung, source, tools needed
  xdp-doctor attach OBJECT.o --iface IFACE [--netns NS] [--mode native|generic|auto]
                    [--prog NAME] [--dry-run] [--json]
                                        load and attach a program; a refusal is explained
                                        (the kernel's message, the verifier's rejected line
                                        and rule) with the fix in this host's numbers;
                                        \`xdp-doctor undo\` detaches it (attach --help)
  xdp-doctor undo [--all] [--list] [--drop ID] [--drop-stale]
                                        revert the newest fix --fix or the wizard
                                        applied, only while the system is as it left
                                        it (the same namespace, not just its name; the
                                        same XDP program, sysctl and ethtool values);
                                        otherwise say what changed
  xdp-doctor merge REPORT.json|DIR ... [--json | --markdown] [--label file|hostname]
                  [--report FILE.json|FILE.md]...
                                        one fleet report from many hosts' --json reports
                                        (a DIR: its *.json): per host the exit code and
                                        top cause, per cause its hosts, and what the failing
                                        hosts share that the healthy ones do not (program
                                        tag, kernel, driver, firmware, map entries). Hosts
                                        are named by file (a.json → a) or --label hostname.
                                        Exit 1 a host has a cause, 0 all healthy, 2 a report
                                        unreadable (named; the others still merged).
                                        docs/fleet.md: over SSH, Ansible or Kubernetes
  xdp-doctor --help | --version [--verbose]
                                        --verbose adds what ran: tools and versions, kernel,
                                        BPF objects (paste it into a ticket)

Targets
  --lab [--lab-name NAME]    the running built-in lab (default name xdpd)
  --iface NAME               an interface with an XDP program attached
    --netns NAME|PATH          ...inside this network namespace (/run/netns/NAME, /proc/PID/ns/net)
    --container NAME           ...inside a container's namespace (docker, podman or crictl)
    --prog ID                  use this program id instead of the one attached to NAME
  --probe "CMD ARGS"         traffic to send during the window (split into argv, never a shell)
    --probe-netns NAME|PATH    namespace the probe runs in
  --flow PROTO:ADDR[:PORT]   the flow to follow (tcp:10.0.0.1:80, icmp:10.0.0.1, tcp:[fd00::1]:80,
                             icmp:fd00::1) when it cannot be read from the probe (ping, nc, curl,
                             socat, dig, hping3, iperf3 are read, IPv4 and IPv6); its ARP or IPv6
                             neighbour discovery is followed too; without --probe, the real
                             traffic of that flow is watched
  --window MS                passive window when there is no probe (default 3000); given, the
                             probe also runs its course as with --full-window
  --full-window              let the probe run its course (every retransmission) instead of
                             ending the window once every packet it sent is accounted for
  --expect MAP.FIELD=VALUE   what a map field should hold, e.g. xdp_params_array.vip=192.168.10.1

Output
  --non-interactive          plain report (default when not a TTY, in CI, TERM=dumb)
  --json                     one JSON document (schema: docs/report-schema.md)
  --report FILE.md|FILE.json also write the report to FILE (captures go to FILE-captures/)
  --artifacts DIR            keep the captures (pcaps) in DIR
                             (both checked before the run: a place that cannot be
                             written exits 2)
  -v, --verbose              all evidence and every command run
  --dry-run                  print the exact argv of every command; run none
  --fix                      apply the top cause's first fix, logged with its undo, and re-run to
                             verify it (revert with \`xdp-doctor undo\`)

Rungs (in this order; each runs the real tool against the real program)
`;

const AFTER = `
Choosing rungs
  --no-trace-pipe            do not read trace_pipe (it is a consuming reader)
  --checks ID,...            run only these checks (ids from \`xdp-doctor checks\`)
  --skip ID,...              leave these checks out

Plugins (team checks; docs/plugins.md)
  --config FILE              config to use instead of ./xdp-doctor.config.{mjs,js,json}
  --plugin PATH|NAME         load one more plugin: a file or directory (./my-check.mjs) or an npm
                             package from ./node_modules or installed beside xdp-doctor
                             (foo = xdp-doctor-plugin-foo). Repeatable.
                             Nothing is loaded that the config or --plugin does not name.

Exit codes
  0 no rung failed · 1 a rung failed or errored · 2 usage or target error · 130 interrupted

Examples
  xdp-doctor lab up --fault params-unset && xdp-doctor --lab
  xdp-doctor --iface eth0 --probe "curl -s http://10.0.0.1/" --json > run.json
  xdp-doctor --iface l0 --netns lb --expect xdp_params_array.vip=192.168.10.1
`;
