/**
 * The blocks' way from the collection worker to the main thread (exposition/wire.ts): sample lines as one transferred
 * buffer of UTF-8, family lines only when they changed. What the main thread makes of them must be the bytes the
 * blocks rendered in one thread make, in both formats.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import { fam, type Family } from '../../src/exporters/catalog';
import { mergeTextfiles } from '../../src/exporters/collectors/textfile';
import {
  assembleOpenMetrics,
  assembleOpenMetricsBytes,
  assembleText,
  assembleTextBytes,
  blockText,
  DEFAULT_LIMITS,
  exposition,
  orderBlocks,
  parseTextFormat,
  renderFamilies,
  type FamilyBlock,
  type WireBlocks,
} from '../../src/exporters/exposition';
import { transferList, WireDecoder, WireEncoder } from '../../src/exporters/exposition/wire';

const GOLDEN = fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'golden', 'node_exporter-fixture.prom'), 'utf8');

function goldenBlocks(): readonly FamilyBlock[] {
  const fams = mergeTextfiles([{ path: 'golden', families: parseTextFormat(GOLDEN, 'golden') }]).families;
  return renderFamilies(fams, DEFAULT_LIMITS).families;
}

/** Families with what the byte offsets and the OpenMetrics rewrite must get right. */
function crafted(v: number): Family[] {
  return [
    // Counters without `_total`: every OpenMetrics sample line gains it, on the bytes too.
    fam('node_cpu_guest_seconds', 'counter', 'Seconds the CPUs spent in guests.', ['cpu', 'mode'])
      .add({ cpu: '0', mode: 'nice' }, v)
      .add({ cpu: '1', mode: 'user' }, v + 1).family,
    fam('bytes_sent', 'counter', 'Bytes: caf\u00e9 \u2603.').set(v).family,
    // Characters of two, three and four bytes in label values: byte offsets differ from character offsets.
    fam('names_info', 'gauge', 'Names \u00e9\u00e8 "quoted" \\ back.', ['name'])
      .add({ name: 'caf\u00e9' }, 1)
      .add({ name: '\u2603 snow' }, 1)
      .add({ name: '\u{1F600} \ud800 lone' }, 1)
      .add({ name: 'line\nbreak "q" \\' }, 1).family,
    // No sample at all: only family lines.
    { name: 'empty_gauge', type: 'gauge', help: 'No series.', labelNames: ['x'], series: [] },
    fam('plain', 'untyped', '').set(v).family,
  ];
}

function roundTrip(enc: WireEncoder, dec: WireDecoder, name: string, blocks: readonly FamilyBlock[]): FamilyBlock[] {
  const w = enc.encode(name, blocks);
  return dec.decode(name, w);
}

describe('WireEncoder -> WireDecoder', () => {
  test('the golden exposition: the same blocks, bodies byte for byte in both formats', () => {
    const blocks = goldenBlocks();
    expect(blocks.length).toBeGreaterThan(200);
    const got = roundTrip(new WireEncoder(), new WireDecoder(), 'textfile', blocks);
    expect(got.every((b) => b.samples instanceof Uint8Array)).toBe(true);
    expect(got.map(blockText)).toEqual(blocks.map(blockText));
    expect(got.map(({ name, type, help, head }) => ({ name, type, help, head }))).toEqual(
      blocks.map(({ name, type, help, head }) => ({ name, type, help, head })),
    );
    const a = orderBlocks(blocks);
    const b = orderBlocks(got);
    expect(assembleTextBytes(b).equals(assembleTextBytes(a))).toBe(true);
    expect(assembleOpenMetricsBytes(b).equals(assembleOpenMetricsBytes(a))).toBe(true);
    expect(assembleText(b)).toBe(assembleText(a));
    expect(assembleOpenMetrics(b)).toBe(assembleOpenMetrics(a));
  });

  test('multi-byte characters, counters gaining _total, families without samples', () => {
    const blocks = renderFamilies(crafted(7), DEFAULT_LIMITS).families;
    const got = roundTrip(new WireEncoder(), new WireDecoder(), 'crafted', blocks);
    expect(got.map(blockText)).toEqual(blocks.map(blockText));
    const om = exposition(got).openMetrics();
    expect(om).toBe(exposition(blocks).openMetrics());
    expect(om).toContain('node_cpu_guest_seconds_total{cpu="0",mode="nice"} 7\n');
    expect(om).toContain('bytes_sent_total 7\n');
    expect(om).toContain('names_info{name="\u{1F600} \ufffd lone"} 1\n');
    expect(exposition(got).text).toBe(exposition(blocks).text);
    expect(exposition(got).textBytes().toString('utf8')).toBe(exposition(blocks).text);
  });

  test('family lines travel once while they stay the same, again when one changes', () => {
    const enc = new WireEncoder();
    const dec = new WireDecoder();
    const first = enc.encode('c', renderFamilies(crafted(1), DEFAULT_LIMITS).families);
    expect(first.heads?.names).toEqual(['bytes_sent', 'empty_gauge', 'names_info', 'node_cpu_guest_seconds', 'plain']);
    dec.decode('c', first);
    const again = renderFamilies(crafted(2), DEFAULT_LIMITS).families;
    const second = enc.encode('c', again);
    expect(second.heads).toBeNull();
    expect(dec.decode('c', second).map(blockText)).toEqual(again.map(blockText));
    // Another collector has its own.
    expect(enc.encode('d', again).heads).not.toBeNull();
    // A changed HELP, a family more or less: sent again.
    const changed = renderFamilies(
      crafted(3).map((f) => (f.name === 'plain' ? { ...f, help: 'Now with help.' } : f)),
      DEFAULT_LIMITS,
    ).families;
    const third = enc.encode('c', changed);
    expect(third.heads?.helps).toContain('Now with help.');
    expect(dec.decode('c', third).map(blockText)).toEqual(changed.map(blockText));
    const fewer = renderFamilies(crafted(4).slice(1), DEFAULT_LIMITS).families;
    const fourth = enc.encode('c', fewer);
    expect(fourth.heads?.names).toHaveLength(4);
    expect(dec.decode('c', fourth).map(blockText)).toEqual(fewer.map(blockText));
  });

  test('blocks referring to family lines the decoder never had are refused; forget() sends them again', () => {
    const enc = new WireEncoder();
    const blocks = renderFamilies(crafted(1), DEFAULT_LIMITS).families;
    enc.encode('c', blocks);
    const orphan = enc.encode('c', blocks);
    expect(orphan.heads).toBeNull();
    // A new worker's decoder, or a message lost on the way.
    expect(() => new WireDecoder().decode('c', orphan)).toThrow(/never received/);
    enc.forget('c');
    const resent = enc.encode('c', blocks);
    expect(resent.heads).not.toBeNull();
    expect(new WireDecoder().decode('c', resent).map(blockText)).toEqual(blocks.map(blockText));
    // Heads of another count than the blocks (a bug): refused, not misassigned.
    const dec = new WireDecoder();
    dec.decode('c', resent);
    expect(() => dec.decode('c', { ...orphan, ends: orphan.ends.slice(1) })).toThrow(/never received/);
  });

  test('blocks whose samples are already bytes are copied as they are', () => {
    const blocks = renderFamilies(crafted(5), DEFAULT_LIMITS).families;
    const once = roundTrip(new WireEncoder(), new WireDecoder(), 'c', blocks);
    const mixed = [...once.slice(0, 2), ...blocks.slice(2)];
    const twice = roundTrip(new WireEncoder(), new WireDecoder(), 'c', mixed);
    expect(twice.map(blockText)).toEqual(blocks.map(blockText));
  });

  test('across a port: the buffer is moved, not copied; no family at all is an empty buffer', () => {
    const { port1, port2 } = new MessageChannel();
    try {
      const blocks = renderFamilies(crafted(6), DEFAULT_LIMITS).families;
      const w = new WireEncoder().encode('c', blocks);
      const size = w.bytes.byteLength;
      expect(size).toBeGreaterThan(0);
      port2.postMessage(w, transferList(w));
      // The sender's view is detached: the bytes left this thread.
      expect(w.bytes.byteLength).toBe(0);
      const got = receiveMessageOnPort(port1)?.message as WireBlocks;
      expect(got.bytes.byteLength).toBe(size);
      expect(new WireDecoder().decode('c', got).map(blockText)).toEqual(blocks.map(blockText));
      const none = new WireEncoder().encode('c', []);
      expect(transferList(none)).toEqual([]);
      port2.postMessage(none, transferList(none));
      const gotNone = receiveMessageOnPort(port1)?.message as WireBlocks;
      expect(new WireDecoder().decode('c', gotNone)).toEqual([]);
    } finally {
      port1.close();
      port2.close();
    }
  });
});
