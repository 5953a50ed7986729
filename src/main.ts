// Placeholder dispatcher; the ladder and other verbs are wired in as they land.
export async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'lab') {
    const { labCommand } = await import('./lab/command.js');
    return labCommand(argv.slice(1), { stdout: process.stdout, stderr: process.stderr });
  }
  process.stderr.write('xdp-doctor: not implemented yet\n');
  return 2;
}
