// Interactive (the Ink wizard) only when a person is at a terminal: stdin and stdout are TTYs and neither CI,
// TERM=dumb, --non-interactive nor --json says otherwise. Kept tiny: the non-interactive path imports it.
interface InteractiveFlags { nonInteractive?: boolean; json?: boolean }

/** CI=true, CI=1, CI=yes, CI=anything non-empty means CI; only "false" and "0" (and empty) do not. */
export function inCi(env: NodeJS.ProcessEnv): boolean {
  const v = env.CI;
  return v !== undefined && v !== '' && v.toLowerCase() !== 'false' && v !== '0';
}

export function isInteractive(
  args: InteractiveFlags, env: NodeJS.ProcessEnv,
  stdin: { isTTY?: boolean }, stdout: { isTTY?: boolean },
): boolean {
  if (!stdin.isTTY || !stdout.isTTY) return false;
  if (args.nonInteractive || args.json) return false;
  if (inCi(env)) return false;
  if (env.TERM === 'dumb') return false;
  return true;
}
