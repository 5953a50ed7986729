// The kernel suite runs only inside a test:kernels VM (scripts/kernels.sh sets XDP_DOCTOR_KERNEL_VM from the
// kernel command line): on the host it would build labs next to the host's own e2e runs.
if (!process.env.XDP_DOCTOR_KERNEL_VM) {
  throw new Error('the kernels project runs inside the VMs of `npm run test:kernels`, not on the host');
}
