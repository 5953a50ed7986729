// Which distribution package installs each system tool xdp-doctor runs or builds with, as data in one table, and
// the exact install lines for what is missing. Nothing here installs anything: preflight and the lab print the
// lines, the operator runs them.
import { readFileSync } from 'node:fs';

export type Family = 'debian' | 'fedora';

/** Tool (a binary on PATH, or a build input) → package on Debian/Ubuntu and on Fedora/RHEL. */
export const SYSTEM_PACKAGES: Record<string, Record<Family, string>> = {
  ip: { debian: 'iproute2', fedora: 'iproute' },
  nstat: { debian: 'iproute2', fedora: 'iproute' },
  bpftool: { debian: 'bpftool', fedora: 'bpftool' },
  tcpdump: { debian: 'tcpdump', fedora: 'tcpdump' },
  ethtool: { debian: 'ethtool', fedora: 'ethtool' },
  bpftrace: { debian: 'bpftrace', fedora: 'bpftrace' },
  tshark: { debian: 'tshark', fedora: 'wireshark-cli' },
  xdpdump: { debian: 'xdp-tools', fedora: 'xdp-tools' },
  nsenter: { debian: 'util-linux', fedora: 'util-linux' },
  // The lab's probe speaks OpenBSD netcat's flags; Fedora's "netcat" is that port (nmap-ncat is another nc).
  nc: { debian: 'netcat-openbsd', fedora: 'netcat' },
  sysctl: { debian: 'procps', fedora: 'procps-ng' },
  ping: { debian: 'iputils-ping', fedora: 'iputils' },
  // Building BPF objects from the shipped C sources (bpf/Makefile): compiler, make, libbpf's and the kernel's headers.
  clang: { debian: 'clang', fedora: 'clang' },
  make: { debian: 'make', fedora: 'make' },
  'bpf/bpf_helpers.h': { debian: 'libbpf-dev', fedora: 'libbpf-devel' },
  'linux/bpf.h': { debian: 'linux-libc-dev', fedora: 'kernel-headers' },
};

/** What a BPF build from source needs besides the sources themselves. */
export const BPF_BUILD_NEEDS = ['clang', 'make', 'bpf/bpf_helpers.h', 'linux/bpf.h'];

const COMMAND: Record<Family, string> = { debian: 'apt-get install', fedora: 'dnf install' };
const LABEL: Record<Family, string> = { debian: 'Debian/Ubuntu', fedora: 'Fedora/RHEL' };

/** The packages for these tools on one family, each once, in table order of first mention. */
function packagesFor(tools: string[], family: Family): string[] {
  const out: string[] = [];
  for (const t of tools) {
    const pkg = SYSTEM_PACKAGES[t]?.[family];
    if (!pkg) throw new Error(`no package known for ${t}`);
    if (!out.includes(pkg)) out.push(pkg);
  }
  return out;
}

/** "apt-get install tshark xdp-tools" for one family. */
export function installLine(tools: string[], family: Family): string {
  return `${COMMAND[family]} ${packagesFor(tools, family).join(' ')}`;
}

/** Both lines, labelled: "Debian/Ubuntu: apt-get install …; Fedora/RHEL: dnf install …". */
export function installLines(tools: string[]): string[] {
  return (['debian', 'fedora'] as const).map((f) => `${LABEL[f]}: ${installLine(tools, f)}`);
}

/** The family from os-release ID and ID_LIKE ("ubuntu" → debian, "rhel centos fedora" → fedora), if either. */
export function familyOf(osRelease: string): Family | undefined {
  const field = (k: string) => new RegExp(`^${k}=["']?([^"'\\n]*)`, 'm').exec(osRelease)?.[1] ?? '';
  const ids = `${field('ID')} ${field('ID_LIKE')}`.split(/\s+/).filter(Boolean);
  if (ids.some((i) => i === 'debian' || i === 'ubuntu')) return 'debian';
  if (ids.some((i) => i === 'fedora' || i === 'rhel' || i === 'centos')) return 'fedora';
  return undefined;
}

let hostFamilyCache: Family | null | undefined;

/** This machine's family (read once from /etc/os-release); undefined elsewhere. */
export function hostFamily(): Family | undefined {
  if (hostFamilyCache === undefined) {
    let text = '';
    try { text = readFileSync('/etc/os-release', 'utf8'); } catch { /* not Linux-like: no family */ }
    hostFamilyCache = familyOf(text) ?? null;
  }
  return hostFamilyCache ?? undefined;
}

/**
 * The install hint for tools: this host's line when its family is known, else both lines. Short enough for a
 * skipped rung's row.
 */
export function installHintFor(tools: string[], family: Family | 'unknown' = hostFamily() ?? 'unknown'): string {
  return family === 'unknown' ? installLines(tools).join('; ') : installLine(tools, family);
}

/**
 * The headers of the running kernel (bpftrace without usable BTF compiles tracepoint arguments from them): their
 * packages carry the release in the name, so they are not in the table.
 */
export function kernelHeadersInstallLines(release: string): string[] {
  return [`${LABEL.debian}: ${COMMAND.debian} linux-headers-${release}`, `${LABEL.fedora}: ${COMMAND.fedora} kernel-devel-${release}`];
}
