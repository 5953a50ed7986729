// Zoo helper: attaches an XDP program through a bpf_link (as libxdp, cilium and katran's loaders do) and holds
// the link until SIGTERM/SIGINT, so tests can see a link-owned program: `bpftool link show` names this process.
// Usage: xdp_link_hold OBJECT.o IFNAME   (run inside the interface's namespace: nsenter --net=...)
#include <bpf/libbpf.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

static volatile sig_atomic_t stop;
static void on_signal(int sig) { (void)sig; stop = 1; }

int main(int argc, char **argv)
{
	struct bpf_object *obj;
	struct bpf_program *prog;
	struct bpf_link *link;
	unsigned int ifindex;

	if (argc != 3) { fprintf(stderr, "usage: %s OBJECT.o IFNAME\n", argv[0]); return 2; }
	ifindex = if_nametoindex(argv[2]);
	if (!ifindex) { perror(argv[2]); return 1; }
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj || bpf_object__load(obj)) { fprintf(stderr, "cannot load %s\n", argv[1]); return 1; }
	prog = bpf_object__next_program(obj, NULL);
	link = prog ? bpf_program__attach_xdp(prog, ifindex) : NULL;
	if (!link) { fprintf(stderr, "cannot attach to %s\n", argv[2]); return 1; }
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	printf("attached\n");
	fflush(stdout);
	while (!stop) pause();
	bpf_link__destroy(link);
	bpf_object__close(obj);
	return 0;
}
