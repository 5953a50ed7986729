// src/containers.ts: --container NAME through docker, podman and crictl. The docker answer is recorded here
// (the client is installed, no engine runs); the pids and crictl ids are INVENTED values in the runtimes'
// documented output shapes (a bare number; a container id per line), labelled as such.
import { describe, expect, it } from 'vitest';
import { containerNetns, ContainerError } from '../../src/containers.js';
import { fakeExec } from '../../src/plugins/testing.js';
import { recording } from './helpers/recordings.js';

const noDaemon = { stderr: recording('containers/docker-inspect-no-daemon.stderr.txt'), exitCode: 1 };

describe('containerNetns', () => {
  it('docker that answers: the container\'s pid namespace', async () => {
    const exec = fakeExec([{ argv: ['docker', 'inspect', '--format', '{{.State.Pid}}', 'web'], stdout: '4242\n' }]);
    expect(await containerNetns(exec, 'web')).toEqual({ kind: 'pid', pid: 4242 });
  });

  it('docker without its daemon, podman absent, crictl finding it by name', async () => {
    const exec = fakeExec([
      { argv: ['docker', 'inspect', '--format', '{{.State.Pid}}', 'web'], ...noDaemon },
      { argv: ['podman', 'inspect', '--format', '{{.State.Pid}}', 'web'], notFound: true },
      { argv: ['crictl', 'ps', '--name', '^web$', '-q'], stdout: '3f2a9c\n' },
      { argv: ['crictl', 'inspect', '--output', 'go-template', '--template', '{{.info.pid}}', '3f2a9c'], stdout: '777\n' },
    ]);
    expect(await containerNetns(exec, 'web')).toEqual({ kind: 'pid', pid: 777 });
  });

  it('not found anywhere: says what each runtime said', async () => {
    const exec = fakeExec([
      { argv: ['docker', 'inspect', '--format', '{{.State.Pid}}', 'web'], ...noDaemon },
      { argv: ['podman', 'inspect', '--format', '{{.State.Pid}}', 'web'], notFound: true },
      { argv: ['crictl', 'ps', '--name', '^web$', '-q'], stdout: '' },
    ]);
    await expect(containerNetns(exec, 'web')).rejects.toThrow(
      '--container web: not found (docker: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?; crictl: no running container by that name)');
  });

  it('no runtime installed: says so and what to use instead', async () => {
    const exec = fakeExec([{ argv: (a) => ['docker', 'podman', 'crictl'].includes(a[0]!), notFound: true }]);
    const e = await containerNetns(exec, 'web').catch((x) => x);
    expect(e).toBeInstanceOf(ContainerError);
    expect(e.message).toBe('--container web: no container runtime is installed (looked for docker, podman, crictl); use --netns /proc/PID/ns/net with a process of the container');
  });
});
