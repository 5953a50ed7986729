// Who ran this report, so reports from many hosts can be grouped and compared (xdp-doctor merge): the host
// (hostname, machine id, boot id, kernel), the target's NIC (ethtool -i in its namespace) and the program the
// inventory rung found. Read after the rungs; a part that cannot be read is left out, never guessed.
import { hostname as osHostname, release } from 'node:os';
import type { Facts, HostIdentity, Target } from './types.js';
import type { Exec } from '../tools/exec.js';
import type { Files } from '../tools/files.js';
import { parseEthtoolDriver } from '../tools/ethtool.js';
import { validIfname } from '../tools/names.js';
import { INVENTORY, type InventoryFacts } from '../plugins/facts.js';

const MACHINE_ID = '/etc/machine-id';
const BOOT_ID = '/proc/sys/kernel/random/boot_id';

interface IdentityDeps {
  exec: Exec;
  files: Files;
  target: Target;
  facts: Facts;
  tool: { name: string; version: string };
  /** --dry-run runs no command: the NIC is then not asked. */
  dryRun?: boolean;
  signal?: AbortSignal;
  /** For tests: the host's name and kernel release (node:os otherwise). */
  hostname?: () => string;
  kernel?: () => string;
}

export async function readHostIdentity(d: IdentityDeps): Promise<HostIdentity> {
  const [machineId, bootId, nic] = await Promise.all([
    firstLine(d.files, MACHINE_ID), firstLine(d.files, BOOT_ID), d.dryRun ? undefined : readNic(d),
  ]);
  const inv = d.facts.get<InventoryFacts>(INVENTORY);
  const program = inv?.progId !== undefined
    ? { id: inv.progId, ...(inv.progName ? { name: inv.progName } : {}), ...(inv.tag ? { tag: inv.tag } : {}) }
    : undefined;
  return {
    hostname: (d.hostname ?? osHostname)(),
    ...(machineId ? { machineId } : {}),
    ...(bootId ? { bootId } : {}),
    kernel: (d.kernel ?? release)(),
    ...(nic ? { nic } : {}),
    ...(program ? { program } : {}),
    xdpDoctor: d.tool.version,
  };
}

async function firstLine(files: Files, path: string): Promise<string | undefined> {
  const text = await files.read(path).catch(() => undefined);
  const line = text?.split('\n')[0]?.trim();
  return line || undefined;
}

/** ethtool -i of the target interface, in its namespace; why not, in words, when it could not be read. */
async function readNic(d: IdentityDeps): Promise<HostIdentity['nic']> {
  const iface = d.target.iface;
  if (!validIfname(iface)) return undefined;
  // The identity is context for the report, never a reason for the run to fail: any failure is the NIC's `error`.
  let r;
  try {
    r = await d.exec.run(['ethtool', '-i', iface], { netns: d.target.netns, timeoutMs: 5000, signal: d.signal });
  } catch (e) {
    return { iface, error: (e as Error).message.split('\n')[0]! };
  }
  if (!r.ok) {
    const why = r.notFound ? 'ethtool: command not found' : (r.stderr || r.stdout).trim().split('\n')[0] || `exit ${r.exitCode}`;
    return { iface, error: why };
  }
  try {
    const info = parseEthtoolDriver(r.stdout);
    return {
      iface, driver: info.driver,
      ...(info.version ? { driverVersion: info.version } : {}),
      ...(info.firmwareVersion ? { firmware: info.firmwareVersion } : {}),
      ...(info.busInfo ? { busInfo: info.busInfo } : {}),
    };
  } catch (e) {
    return { iface, error: (e as Error).message.split('\n')[0]! };
  }
}
