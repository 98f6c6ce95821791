/**
 * A collector's blocks between the collection worker and the main thread (WireBlocks): the worker's WireEncoder
 * writes every block's sample lines into one buffer of UTF-8 to transfer, and sends the families' names, types and
 * HELP only when they differ from what it sent for that collector last time; the main thread's WireDecoder makes the
 * blocks again, their samples as views of that buffer, their family lines kept from the last time they came.
 *
 * Each side keeps its state for one worker's life: a new worker starts with an empty encoder, and the runner makes a
 * new decoder with it. Messages of one port arrive in the order they were sent, so the decoder sees every heads the
 * encoder sent, as long as it decodes every result of that worker (late ones too) and the encoder forgets what a
 * failed send did not deliver.
 */
import type { PromType } from '../catalog';
import { familyHead } from './render';
import type { FamilyBlock, WireBlocks } from './types';

type Heads = NonNullable<WireBlocks['heads']>;

function sameHeads(a: Heads, blocks: readonly FamilyBlock[]): boolean {
  const n = blocks.length;
  if (a.names.length !== n) return false;
  for (let i = 0; i < n; i++) {
    const b = blocks[i] as FamilyBlock;
    if (b.name !== a.names[i] || b.type !== a.types[i] || b.help !== a.helps[i]) return false;
  }
  return true;
}

const utf8 = new TextEncoder();

/** Worker side: one per worker thread. */
export class WireEncoder {
  /** The heads last sent, per collector. */
  private readonly sent = new Map<string, Heads>();

  /**
   * The collector's blocks for the wire; the caller transfers `bytes.buffer` (see transferList). Blocks whose
   * samples are already bytes are copied as they are.
   */
  encode(collector: string, blocks: readonly FamilyBlock[]): WireBlocks {
    const n = blocks.length;
    const texts = new Array<string>(n);
    let allText = true;
    for (let i = 0; i < n; i++) {
      const s = (blocks[i] as FamilyBlock).samples;
      if (typeof s === 'string') texts[i] = s;
      else allText = false;
    }
    const ends = new Array<number>(n);
    let bytes: Uint8Array;
    const joined = allText ? texts.join('') : null;
    if (joined !== null) {
      // One native encoding of the whole text; its own ArrayBuffer, of exactly its length, to transfer.
      bytes = utf8.encode(joined);
      const ascii = bytes.length === joined.length;
      let at = 0;
      for (let i = 0; i < n; i++) {
        const t = texts[i] as string;
        at += ascii ? t.length : Buffer.byteLength(t, 'utf8');
        ends[i] = at;
      }
    } else {
      let size = 0;
      for (let i = 0; i < n; i++) {
        const s = (blocks[i] as FamilyBlock).samples;
        size += typeof s === 'string' ? Buffer.byteLength(s, 'utf8') : s.length;
      }
      const out = Buffer.allocUnsafeSlow(size);
      let at = 0;
      for (let i = 0; i < n; i++) {
        const s = (blocks[i] as FamilyBlock).samples;
        if (typeof s === 'string') at += out.write(s, at, 'utf8');
        else {
          out.set(s, at);
          at += s.length;
        }
        ends[i] = at;
      }
      bytes = new Uint8Array(out.buffer, out.byteOffset, out.length);
    }
    const prev = this.sent.get(collector);
    let heads: Heads | null = null;
    if (prev === undefined || !sameHeads(prev, blocks)) {
      heads = {
        names: blocks.map((b) => b.name),
        types: blocks.map((b) => b.type),
        helps: blocks.map((b) => b.help),
      };
      this.sent.set(collector, heads);
    }
    return { bytes, ends, heads };
  }

  /** The last encoding of this collector was not delivered: its next one carries its heads again. */
  forget(collector: string): void {
    this.sent.delete(collector);
  }
}

/** What a transfer of these blocks moves instead of copying (nothing for an empty buffer). */
export function transferList(w: WireBlocks): ArrayBuffer[] {
  const buf = w.bytes.buffer;
  return w.bytes.byteLength > 0 && buf instanceof ArrayBuffer ? [buf] : [];
}

/** Each block's family lines, made once per heads received. */
interface Known {
  readonly names: readonly string[];
  readonly types: readonly PromType[];
  readonly helps: readonly string[];
  readonly headTexts: readonly string[];
}

/** Main side: one per worker thread (a new worker starts with a new decoder). */
export class WireDecoder {
  private readonly known = new Map<string, Known>();

  /**
   * The collector's blocks, their samples views of `w.bytes`; throws when the message refers to heads this decoder
   * never received or does not match them (a bug: the caller fails that collector for this pass).
   */
  decode(collector: string, w: WireBlocks): FamilyBlock[] {
    let k: Known | undefined;
    if (w.heads !== null) {
      const { names, types, helps } = w.heads;
      k = {
        names,
        types,
        helps,
        headTexts: names.map(
          (name, i) => familyHead({ name, type: types[i] as PromType, help: helps[i] as string }).text,
        ),
      };
      this.known.set(collector, k);
    } else k = this.known.get(collector);
    const n = w.ends.length;
    if (k === undefined || k.names.length !== n) {
      this.known.delete(collector);
      throw new Error(`blocks of ${collector} refer to family lines never received`);
    }
    const out = new Array<FamilyBlock>(n);
    let at = 0;
    for (let i = 0; i < n; i++) {
      const end = w.ends[i] as number;
      out[i] = {
        name: k.names[i] as string,
        type: k.types[i] as PromType,
        help: k.helps[i] as string,
        head: k.headTexts[i] as string,
        samples: w.bytes.subarray(at, end),
      };
      at = end;
    }
    return out;
  }
}
