// Which drivers have native (driver-mode) XDP: the ones whose net_device_ops set .ndo_bpf, which
// dev_xdp_attach() needs for XDP_MODE_DRV (net/core/dev.c dev_xdp_bpf_op()). The kernel's own answer, where it
// has one, is the attach itself (or its xdp-features over netlink since 6.3): this table names the common
// drivers so the precondition can say so before trying. `macvlan` was reproduced on this project's machines.

export interface DriverXdp { driver: string; native: boolean; source: string }

const yes = (driver: string, source: string): DriverXdp => ({ driver, native: true, source });
const no = (driver: string, source: string): DriverXdp => ({ driver, native: false, source });

const XDP_DRIVERS: DriverXdp[] = [
  yes('veth', 'drivers/net/veth.c veth_netdev_ops .ndo_bpf = veth_xdp'),
  yes('virtio_net', 'drivers/net/virtio_net.c virtnet_netdev .ndo_bpf = virtnet_xdp'),
  yes('tun', 'drivers/net/tun.c tap_netdev_ops .ndo_bpf = tun_xdp'),
  yes('bond', 'drivers/net/bonding/bond_main.c bond_netdev_ops .ndo_bpf = bond_xdp'),
  yes('mlx5_core', 'drivers/net/ethernet/mellanox/mlx5/core/en_main.c .ndo_bpf = mlx5e_xdp'),
  yes('mlx4_en', 'drivers/net/ethernet/mellanox/mlx4/en_netdev.c .ndo_bpf = mlx4_xdp'),
  yes('i40e', 'drivers/net/ethernet/intel/i40e/i40e_main.c .ndo_bpf = i40e_xdp'),
  yes('ice', 'drivers/net/ethernet/intel/ice/ice_main.c .ndo_bpf = ice_xdp'),
  yes('ixgbe', 'drivers/net/ethernet/intel/ixgbe/ixgbe_main.c .ndo_bpf = ixgbe_xdp'),
  yes('igb', 'drivers/net/ethernet/intel/igb/igb_main.c .ndo_bpf = igb_xdp'),
  yes('igc', 'drivers/net/ethernet/intel/igc/igc_main.c .ndo_bpf = igc_bpf'),
  yes('bnxt_en', 'drivers/net/ethernet/broadcom/bnxt/bnxt.c .ndo_bpf = bnxt_xdp'),
  yes('ena', 'drivers/net/ethernet/amazon/ena/ena_netdev.c .ndo_bpf = ena_xdp'),
  yes('hv_netvsc', 'drivers/net/hyperv/netvsc_drv.c .ndo_bpf = netvsc_bpf'),
  yes('gve', 'drivers/net/ethernet/google/gve/gve_main.c .ndo_bpf = gve_xdp'),
  no('macvlan', 'drivers/net/macvlan.c macvlan_netdev_ops: no .ndo_bpf'),
  no('ipvlan', 'drivers/net/ipvlan/ipvlan_main.c ipvlan_netdev_ops: no .ndo_bpf'),
  no('802.1Q VLAN Support', 'net/8021q/vlan_dev.c vlan_netdev_ops: no .ndo_bpf'),
  no('bridge', 'net/bridge/br_device.c br_netdev_ops: no .ndo_bpf'),
  no('team', 'drivers/net/team/team_core.c team_netdev_ops: no .ndo_bpf'),
  no('wireguard', 'drivers/net/wireguard/device.c netdev_ops: no .ndo_bpf'),
  no('vxlan', 'drivers/net/vxlan/vxlan_core.c vxlan_netdev_ether_ops: no .ndo_bpf'),
  no('dummy', 'drivers/net/dummy.c dummy_netdev_ops: no .ndo_bpf'),
];

/** By `ethtool -i` driver name, else by the link kind `ip -d` prints (loopback has neither: no native XDP). */
export function driverXdp(driver: string | undefined, kind: string | undefined, ifname: string): DriverXdp | undefined {
  if (ifname === 'lo') return no('loopback', 'drivers/net/loopback.c loopback_ops: no .ndo_bpf');
  return XDP_DRIVERS.find((d) => d.driver === driver) ?? XDP_DRIVERS.find((d) => d.driver === kind);
}
