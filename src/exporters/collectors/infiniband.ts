/**
 * infiniband: node_exporter's infiniband collector from /sys/class/infiniband: node_infiniband_info{device,board_id,
 * firmware_version,hca_type}, node_infiniband_{state_id,physical_state_id,rate_bytes_per_second}{device,port} and a
 * counter family per counters/ and counters_ext/ file the port has (data in bytes). Silent without InfiniBand.
 * OTLP: none in the semantic conventions.
 */
import type { Infiniband } from '../../index';
import { defineCollector, fam, families } from '../catalog';

/** [sysfs counter file, family suffix, HELP], as node_exporter maps them. */
const COUNTERS: ReadonlyArray<readonly [string, string, string]> = [
  ['port_multicast_rcv_packets', 'legacy_multicast_packets_received_total', 'Number of multicast packets received'],
  [
    'port_multicast_xmit_packets',
    'legacy_multicast_packets_transmitted_total',
    'Number of multicast packets transmitted',
  ],
  ['port_rcv_data_64', 'legacy_data_received_bytes_total', 'Number of data octets received on all links'],
  ['port_rcv_packets_64', 'legacy_packets_received_total', 'Number of data packets received on all links'],
  ['port_unicast_rcv_packets', 'legacy_unicast_packets_received_total', 'Number of unicast packets received'],
  ['port_unicast_xmit_packets', 'legacy_unicast_packets_transmitted_total', 'Number of unicast packets transmitted'],
  ['port_xmit_data_64', 'legacy_data_transmitted_bytes_total', 'Number of data octets transmitted on all links'],
  // node_exporter's HELP says "received" here too.
  ['port_xmit_packets_64', 'legacy_packets_transmitted_total', 'Number of data packets received on all links'],
  ['link_downed', 'link_downed_total', 'Number of times the link failed to recover from an error state and went down'],
  [
    'link_error_recovery',
    'link_error_recovery_total',
    'Number of times the link successfully recovered from an error state',
  ],
  [
    'multicast_rcv_packets',
    'multicast_packets_received_total',
    'Number of multicast packets received (including errors)',
  ],
  [
    'multicast_xmit_packets',
    'multicast_packets_transmitted_total',
    'Number of multicast packets transmitted (including errors)',
  ],
  [
    'port_rcv_constraint_errors',
    'port_constraint_errors_received_total',
    'Number of packets received on the switch physical port that are discarded',
  ],
  [
    'port_xmit_constraint_errors',
    'port_constraint_errors_transmitted_total',
    'Number of packets not transmitted from the switch physical port',
  ],
  ['port_rcv_data', 'port_data_received_bytes_total', 'Number of data octets received on all links'],
  ['port_xmit_data', 'port_data_transmitted_bytes_total', 'Number of data octets transmitted on all links'],
  [
    'port_rcv_discards',
    'port_discards_received_total',
    'Number of inbound packets discarded by the port because the port is down or congested',
  ],
  [
    'port_xmit_discards',
    'port_discards_transmitted_total',
    'Number of outbound packets discarded by the port because the port is down or congested',
  ],
  [
    'port_rcv_errors',
    'port_errors_received_total',
    'Number of packets containing an error that were received on this port',
  ],
  [
    'port_rcv_packets',
    'port_packets_received_total',
    'Number of packets received on all VLs by this port (including errors)',
  ],
  [
    'port_xmit_packets',
    'port_packets_transmitted_total',
    'Number of packets transmitted on all VLs from this port (including errors)',
  ],
  [
    'port_xmit_wait',
    'port_transmit_wait_total',
    'Number of ticks during which the port had data to transmit but no data was sent during the entire tick',
  ],
  ['unicast_rcv_packets', 'unicast_packets_received_total', 'Number of unicast packets received (including errors)'],
  [
    'unicast_xmit_packets',
    'unicast_packets_transmitted_total',
    'Number of unicast packets transmitted (including errors)',
  ],
];

export function infinibandFamilies(d: readonly Infiniband[]) {
  const L = ['device', 'port'];
  const info = fam(
    'node_infiniband_info',
    'gauge',
    'Non-numeric data from /sys/class/infiniband/<device>, value is always 1.',
    ['device', 'board_id', 'firmware_version', 'hca_type'],
  );
  const state = fam(
    'node_infiniband_state_id',
    'gauge',
    'State of the InfiniBand port (0: no change, 1: down, 2: init, 3: armed, 4: active, 5: act defer)',
    L,
  );
  const phys = fam(
    'node_infiniband_physical_state_id',
    'gauge',
    'Physical state of the InfiniBand port (0: no change, 1: sleep, 2: polling, 3: disable, 4: shift, 5: link up, 6: link error recover, 7: phytest)',
    L,
  );
  const rate = fam('node_infiniband_rate_bytes_per_second', 'gauge', 'Maximum signal transfer rate', L);
  const counters = COUNTERS.map(([, name, help]) => fam(`node_infiniband_${name}`, 'counter', help, L));
  for (const dev of d) {
    info.add(
      { device: dev.name, board_id: dev.boardId, firmware_version: dev.firmwareVersion, hca_type: dev.hcaType },
      1,
    );
    for (const p of dev.ports) {
      const labels = { device: dev.name, port: String(p.port) };
      state.add(labels, p.stateId);
      phys.add(labels, p.physStateId);
      rate.add(labels, p.rateBytesPerSecond);
      COUNTERS.forEach(([file], i) => {
        const v = p.counters[file];
        if (v !== undefined) counters[i]?.add(labels, v);
      });
    }
  }
  return families(info, state, phys, rate, ...counters);
}

export const infinibandCollector = defineCollector<readonly Infiniband[], null>({
  name: 'infiniband',
  help: 'InfiniBand HCAs and their ports from /sys/class/infiniband.',
  options: () => null,
  create:
    ({ psutil }) =>
    () =>
      psutil.infinibandDevices(),
  prometheus: (d) => infinibandFamilies(d),
  otlp: () => [],
});
