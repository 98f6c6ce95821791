/**
 * The worker's results in shared memory (result-arena.ts): what the main thread reads back must be what the worker
 * appended, for the pass it asks about only, whole entries only, and what does not fit must be refused untouched.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { fam, type Family } from '../../src/exporters/catalog';
import { mergeTextfiles } from '../../src/exporters/collectors/textfile';
import {
  assembleTextBytes,
  blockText,
  DEFAULT_LIMITS,
  orderBlocks,
  parseTextFormat,
  renderFamilies,
  type FamilyBlock,
} from '../../src/exporters/exposition';
import { WireDecoder, WireEncoder } from '../../src/exporters/exposition/wire';
import { failedResult, type CollectorResult, type RenderedResult } from '../../src/exporters/pass';
import { ArenaWriter, fits, readArena } from '../../src/exporters/result-arena';

const GOLDEN = fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'golden', 'node_exporter-fixture.prom'), 'utf8');

function goldenBlocks(): readonly FamilyBlock[] {
  const fams = mergeTextfiles([{ path: 'golden', families: parseTextFormat(GOLDEN, 'golden') }]).families;
  return renderFamilies(fams, DEFAULT_LIMITS).families;
}

function crafted(v: number): Family[] {
  return [
    fam('bytes_sent', 'counter', 'Bytes: caf\u00e9 \u2603.').set(v).family,
    fam('names_info', 'gauge', 'Names "quoted" \\ back.', ['name'])
      .add({ name: '\u{1F600} \ud800 lone' }, 1)
      .add({ name: 'line\nbreak' }, v).family,
  ];
}

function rendered(name: string, blocks: readonly FamilyBlock[], extra: Partial<RenderedResult> = {}): RenderedResult {
  return { kind: 'rendered', ok: true, name, durationSeconds: 0.001234567891, families: blocks, limited: [], ...extra };
}

/** What the worker's send() does with a result: its blocks through the encoder, the rest as it is. */
function append(w: ArenaWriter, enc: WireEncoder, r: RenderedResult): boolean {
  return w.append({ ...r, families: [] }, r.families.length > 0 ? enc.encode(r.name, r.families) : null);
}

function decodeAll(
  dec: WireDecoder,
  pass: readonly { result: CollectorResult; wire?: Parameters<WireDecoder['decode']>[1] }[],
) {
  return pass.map((e) =>
    e.wire === undefined ? e.result : { ...e.result, families: dec.decode(e.result.name, e.wire) },
  );
}

describe('ArenaWriter -> readArena', () => {
  test('rendered and failed results come back as appended, blocks byte for byte, for their pass only', () => {
    const w = new ArenaWriter();
    const enc = new WireEncoder();
    const dec = new WireDecoder();
    const arena = w.begin(1);
    expect(arena).toBeInstanceOf(SharedArrayBuffer);
    const golden = goldenBlocks();
    const small = renderFamilies(crafted(1), DEFAULT_LIMITS).families;
    expect(append(w, enc, rendered('textfile', golden))).toBe(true);
    const limited = [{ family: 'names_info', droppedSeries: 2, truncatedValues: 1 }];
    expect(append(w, enc, rendered('crafted', small, { incomplete: 'half \ud800 of it', limited }))).toBe(true);
    expect(w.append(failedResult('broken', 0.5, 'OsError: ENOENT \u2603'), null)).toBe(true);
    if (arena === null) throw new Error('no arena');
    expect(readArena(arena, 2)).toEqual([]);
    const got = decodeAll(dec, readArena(arena, 1));
    expect(got.map((r) => r.name)).toEqual(['textfile', 'crafted', 'broken']);
    const [t, c, b] = got as [RenderedResult, RenderedResult, CollectorResult];
    expect(t.families.map(blockText)).toEqual(golden.map(blockText));
    expect(assembleTextBytes(orderBlocks(t.families)).equals(assembleTextBytes(orderBlocks(golden)))).toBe(true);
    expect(c.families.map(blockText)).toEqual(small.map(blockText));
    expect(c).toMatchObject({ durationSeconds: 0.001234567891, incomplete: 'half \ud800 of it', limited });
    expect(b).toEqual(failedResult('broken', 0.5, 'OsError: ENOENT \u2603'));

    // The next pass starts empty in the same memory; what was read before is a copy, untouched by it.
    expect(w.begin(2)).toBeNull();
    expect(readArena(arena, 1)).toEqual([]);
    expect(readArena(arena, 2)).toEqual([]);
    const again = renderFamilies(crafted(9), DEFAULT_LIMITS).families;
    expect(append(w, enc, rendered('crafted', again))).toBe(true);
    const next = decodeAll(dec, readArena(arena, 2)) as RenderedResult[];
    expect(next[0]?.families.map(blockText)).toEqual(again.map(blockText));
    expect(c.families.map(blockText)).toEqual(small.map(blockText));
  });

  test('a result that does not fit is refused, nothing of it published; the next pass gets a larger arena', () => {
    const w = new ArenaWriter(4096);
    const enc = new WireEncoder();
    const first = w.begin(1);
    if (first === null) throw new Error('no arena');
    expect(first.byteLength).toBe(4096);
    const small = renderFamilies(crafted(1), DEFAULT_LIMITS).families;
    expect(append(w, enc, rendered('small', small))).toBe(true);
    // Too large for what is left: the caller sends it by postMessage (with the wire it encoded).
    expect(append(w, enc, rendered('textfile', goldenBlocks()))).toBe(false);
    expect(w.append(failedResult('long', 0, 'x'.repeat(5000)), null)).toBe(false);
    expect(readArena(first, 1).map((e) => e.result.name)).toEqual(['small']);
    const grown = w.begin(2);
    expect(grown).toBeInstanceOf(SharedArrayBuffer);
    expect(grown?.byteLength ?? 0).toBeGreaterThan(4096);
    expect(append(w, new WireEncoder(), rendered('textfile', goldenBlocks()))).toBe(true);
    expect(readArena(grown as SharedArrayBuffer, 2).map((e) => e.result.name)).toEqual(['textfile']);
  });

  test('results with OTLP metrics (objects) do not cross in the arena', () => {
    expect(fits(rendered('a', []))).toBe(true);
    expect(fits(failedResult('a', 0, 'e'))).toBe(true);
    expect(fits(rendered('a', [], { otlp: [] }))).toBe(false);
    expect(fits({ kind: 'data', ok: true, name: 'a', durationSeconds: 0, data: 1 })).toBe(false);
  });

  test('read from another thread while a worker still appends: whole entries only, in order', async () => {
    const w = new ArenaWriter();
    const arena = w.begin(7) as SharedArrayBuffer;
    // A writer in another thread, appending the same shape of entry as fast as it can while this thread reads.
    const src = `
      const { workerData, parentPort } = require('node:worker_threads');
      const arena = workerData.arena;
      const view = new DataView(arena);
      const header = new Int32Array(arena, 0, 2);
      const enc = new TextEncoder();
      let at = 8;
      for (let i = 0; i < 2000; i++) {
        const json = JSON.stringify({ r: { kind: 'failed', ok: false, name: 'c' + i, durationSeconds: i, error: 'e'.repeat(i % 50) } });
        const { written } = enc.encodeInto(json, new Uint8Array(arena, at + 8));
        view.setUint32(at, written, true);
        view.setUint32(at + 4, 0, true);
        at += 8 + written;
        Atomics.store(header, 0, at);
      }
      parentPort.postMessage('done');
    `;
    const t = new Worker(src, { eval: true, workerData: { arena } });
    let reads = 0;
    let last = 0;
    const done = new Promise((resolve) => t.once('message', resolve));
    let finished = false;
    void done.then(() => (finished = true));
    while (!finished) {
      const got = readArena(arena, 7);
      expect(got.map((e) => e.result.name)).toEqual(got.map((_, i) => `c${i}`));
      expect(got.length).toBeGreaterThanOrEqual(last);
      last = got.length;
      reads++;
      await new Promise((r) => setImmediate(r));
    }
    await t.terminate();
    expect(readArena(arena, 7)).toHaveLength(2000);
    expect(reads).toBeGreaterThan(0);
  });
});
