/** psutil's scripts/ifconfig.py: net_if_addrs() per NIC, with net_if_stats() and the per-NIC I/O counters. */
import { AF_INET, AF_INET6, AF_LINK, NIC_DUPLEX_FULL, NIC_DUPLEX_HALF, NIC_DUPLEX_UNKNOWN } from '../index';
import { bytes2human, ljust } from './format';
import { printJson, type Tool } from './tool';

const AF_NAMES: Readonly<Record<number, string>> = { [AF_INET]: 'IPv4', [AF_INET6]: 'IPv6', [AF_LINK]: 'MAC' };
const DUPLEX: Readonly<Record<number, string>> = {
  [NIC_DUPLEX_FULL]: 'full',
  [NIC_DUPLEX_HALF]: 'half',
  [NIC_DUPLEX_UNKNOWN]: '?',
};

export const ifconfig: Tool = {
  name: 'ifconfig',
  summary: 'network interfaces: addresses, link state and I/O counters',
  json: true,
  run(env) {
    const addrs = env.ps.netIfAddrs();
    const stats = env.ps.netIfStats();
    const io = env.ps.netIoCounters({ pernic: true });
    if (env.flags.json) {
      printJson(
        env,
        Object.entries(addrs).map(([name, a]) => ({
          name,
          stats: stats[name] ?? null,
          io: io[name] ?? null,
          addrs: a,
        })),
      );
      return 0;
    }
    for (const [nic, list] of Object.entries(addrs)) {
      env.out(`${nic}:`);
      const st = stats[nic];
      if (st)
        env.out(
          `    stats          : speed=${st.speed}MB, duplex=${DUPLEX[st.duplex] ?? '?'}, mtu=${st.mtu}, up=${st.isup ? 'yes' : 'no'}`,
        );
      const c = io[nic];
      if (c) {
        env.out(
          `    incoming       : bytes=${bytes2human(c.bytesRecv)}, pkts=${c.packetsRecv}, errs=${c.errin}, drops=${c.dropin}`,
        );
        env.out(
          `    outgoing       : bytes=${bytes2human(c.bytesSent)}, pkts=${c.packetsSent}, errs=${c.errout}, drops=${c.dropout}`,
        );
      }
      for (const a of list) {
        env.out(`    ${ljust(AF_NAMES[a.family] ?? String(a.family), 4)} address   : ${a.address}`);
        if (a.broadcast) env.out(`         broadcast : ${a.broadcast}`);
        if (a.netmask) env.out(`         netmask   : ${a.netmask}`);
        if (a.ptp) env.out(`      p2p       : ${a.ptp}`);
      }
      env.out('');
    }
    return 0;
  },
};
