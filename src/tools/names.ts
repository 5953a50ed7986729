// What may reach a command as an interface name: the kernel's rules (1-15 bytes, no '/', no whitespace,
// not '.' or '..') narrowed by what no real interface uses and a shell would treat specially. Checked at
// the CLI for user input and again in tools before a name becomes an argv element.
export function validIfname(name: string): boolean {
  return /^[^\s/:]{1,15}$/.test(name) && name !== '.' && name !== '..' && !/[;&|$`'"\\<>(){}*?!#~]/.test(name);
}
