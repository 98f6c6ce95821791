/**
 * The time_zone label without ICU: TZif files and POSIX TZ footers, compared with date(1) on this host's zoneinfo,
 * plus synthetic files (slim, v1 only, garbage).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { loadLocalZone, parsePosixTz, parseTzif, zoneAbbreviation } from '../../src/exporters/tzname';
import { requireOr } from '../helpers/require';

const ZONEINFO = '/usr/share/zoneinfo';
const haveZoneinfo = fs.existsSync(`${ZONEINFO}/Europe/Berlin`);
const describeZoneinfo = requireOr(haveZoneinfo, `no ${ZONEINFO} (apt-get install tzdata)`).describe;

/** date(1)'s abbreviation and offset (seconds east) for a zone at an instant. */
function dateZone(tz: string, at: number): { name: string; offset: number } {
  const r = spawnSync('date', ['-d', `@${at}`, '+%Z %z'], {
    encoding: 'utf8',
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', TZ: tz },
  });
  if (r.status !== 0) throw new Error(`date failed: ${r.stderr}`);
  const [name, z] = r.stdout.trim().split(' ') as [string, string];
  const sign = z.startsWith('-') ? -1 : 1;
  return { name, offset: sign * (Number(z.slice(1, 3)) * 3600 + Number(z.slice(3, 5)) * 60) };
}

/** A TZif v2 file with the given types and transitions (v1 block empty apart from the types), and a footer. */
function tzif(
  types: { utoff: number; dst: boolean; abbr: string }[],
  transitions: [number, number][],
  footer: string,
  version = '2',
): Buffer {
  const chars = Buffer.from(types.map((t) => t.abbr + '\0').join(''), 'latin1');
  const idx: number[] = [];
  let pos = 0;
  for (const t of types) {
    idx.push(pos);
    pos += t.abbr.length + 1;
  }
  const head = (timecnt: number): Buffer => {
    const b = Buffer.alloc(44);
    b.write('TZif', 0, 'latin1');
    b.write(version, 4, 'latin1');
    b.writeUInt32BE(timecnt, 32);
    b.writeUInt32BE(types.length, 36);
    b.writeUInt32BE(chars.length, 40);
    return b;
  };
  const ttinfo = Buffer.concat(
    types.map((t, i) => {
      const b = Buffer.alloc(6);
      b.writeInt32BE(t.utoff, 0);
      b[4] = t.dst ? 1 : 0;
      b[5] = idx[i] as number;
      return b;
    }),
  );
  const times = Buffer.alloc(transitions.length * 8);
  transitions.forEach(([at], i) => times.writeBigInt64BE(BigInt(at), i * 8));
  const which = Buffer.from(transitions.map(([, t]) => t));
  return Buffer.concat([
    head(0),
    ttinfo,
    chars,
    head(transitions.length),
    times,
    which,
    ttinfo,
    chars,
    Buffer.from(`\n${footer}\n`, 'latin1'),
  ]);
}

describe('parsePosixTz', () => {
  it('reads names and offsets (west-positive in the string, east-positive out)', () => {
    expect(parsePosixTz('CET-1CEST,M3.5.0,M10.5.0/3')).toEqual({
      std: { name: 'CET', utoff: 3600 },
      dst: { name: 'CEST', utoff: 7200 },
    });
    expect(parsePosixTz('EST5EDT,M3.2.0,M11.1.0')).toEqual({
      std: { name: 'EST', utoff: -18000 },
      dst: { name: 'EDT', utoff: -14400 },
    });
    expect(parsePosixTz('IST-5:30')).toEqual({ std: { name: 'IST', utoff: 19800 }, dst: null });
    expect(parsePosixTz('<+0530>-5:30')).toEqual({ std: { name: '+0530', utoff: 19800 }, dst: null });
    expect(parsePosixTz('<-03>3')).toEqual({ std: { name: '-03', utoff: -10800 }, dst: null });
    expect(parsePosixTz('<+1030>-10:30<+11>-11,M10.1.0,M4.1.0')).toEqual({
      std: { name: '+1030', utoff: 37800 },
      dst: { name: '+11', utoff: 39600 },
    });
    expect(parsePosixTz('UTC0')).toEqual({ std: { name: 'UTC', utoff: 0 }, dst: null });
  });

  it('refuses what is not a TZ string', () => {
    for (const s of ['', '5', 'AB5', 'CET', '<unterminated-1', 'CET-1 junk', 'CET-1CEST garbage']) {
      expect(parsePosixTz(s)).toBeNull();
    }
  });
});

describe('parseTzif and zoneAbbreviation on synthetic files', () => {
  const types = [
    { utoff: 3600, dst: false, abbr: 'CET' },
    { utoff: 7200, dst: true, abbr: 'CEST' },
  ];

  it('uses the transition in force, type 0 before the first, and the footer past the last', () => {
    const info = parseTzif(
      tzif(
        types,
        [
          [1000, 1],
          [2000, 0],
          [3000, 1],
        ],
        'CET-1CEST,M3.5.0,M10.5.0/3',
      ),
    );
    expect(info).not.toBeNull();
    expect(zoneAbbreviation(info, 500, 3600)).toBe('CET');
    expect(zoneAbbreviation(info, 1000, 7200)).toBe('CEST');
    expect(zoneAbbreviation(info, 1999, 7200)).toBe('CEST');
    expect(zoneAbbreviation(info, 2500, 3600)).toBe('CET');
    // Past the last transition the footer decides, by the offset Date reports.
    expect(zoneAbbreviation(info, 5000, 7200)).toBe('CEST');
    expect(zoneAbbreviation(info, 5000, 3600)).toBe('CET');
  });

  it('reads a slim file (no transitions, the footer only)', () => {
    const info = parseTzif(tzif(types, [], 'CET-1CEST,M3.5.0,M10.5.0/3', '3'));
    expect(zoneAbbreviation(info, 1.7e9, 3600)).toBe('CET');
    expect(zoneAbbreviation(info, 1.7e9, 7200)).toBe('CEST');
  });

  it('reads a file whose footer is empty (the last transition stays in force)', () => {
    const info = parseTzif(tzif(types, [[1000, 1]], ''));
    expect(info?.rule).toBeNull();
    expect(zoneAbbreviation(info, 9e9, 7200)).toBe('CEST');
  });

  it('is UTC without a zone', () => {
    expect(zoneAbbreviation(null, 1.7e9, 0)).toBe('UTC');
  });

  it('gives null for garbage, never throws', () => {
    const good = tzif(
      types,
      [
        [1000, 1],
        [2000, 0],
      ],
      'CET-1CEST,M3.5.0,M10.5.0/3',
    );
    expect(parseTzif(Buffer.alloc(0))).toBeNull();
    expect(
      parseTzif(Buffer.from('not a tzif file at all, just some text that is long enough to pass 44 bytes')),
    ).toBeNull();
    for (let cut = 0; cut < good.length; cut++) {
      expect(() => parseTzif(good.subarray(0, cut))).not.toThrow();
    }
    // A type index beyond the type count, an abbreviation index beyond the characters.
    const badIndex = Buffer.from(good);
    badIndex[badIndex.length - `\nCET-1CEST,M3.5.0,M10.5.0/3\n`.length - 12 - 6 - 2] = 9;
    expect(() => parseTzif(badIndex)).not.toThrow();
    let seed = 7;
    for (let n = 0; n < 200; n++) {
      const b = Buffer.from(good);
      for (let k = 0; k < 8; k++) {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        b[seed % b.length] = seed & 0xff;
      }
      expect(() => zoneAbbreviation(parseTzif(b), 1500, 7200)).not.toThrow();
    }
  });
});

describeZoneinfo('zone abbreviations match date(1) on this host zoneinfo', () => {
  const zones = [
    'Europe/Berlin',
    'America/New_York',
    'Asia/Kolkata',
    'Australia/Lord_Howe',
    'America/Sao_Paulo',
    'Etc/GMT+5',
    'UTC',
    'Asia/Tokyo',
    'Pacific/Chatham',
    'Africa/Casablanca',
    'Europe/Dublin',
  ].filter((z) => fs.existsSync(`${ZONEINFO}/${z}`));
  const now = Math.floor(Date.now() / 1000);
  // Now, a northern and a southern summer, an old date, and one past the fat files' last transition (2037).
  const instants = [
    now,
    Date.UTC(2001, 6, 1) / 1000,
    Date.UTC(2001, 0, 15) / 1000,
    Date.UTC(1975, 3, 1) / 1000,
    Date.UTC(2040, 6, 1) / 1000,
    Date.UTC(2040, 0, 15) / 1000,
  ];

  it.each(zones)('%s', (zone) => {
    const info = loadLocalZone({ TZ: zone });
    // Go treats TZ=UTC as UTC without reading a file; every other zone here has one.
    if (zone !== 'UTC') expect(info).not.toBeNull();
    for (const at of instants) {
      const want = dateZone(zone, at);
      expect({ at, name: zoneAbbreviation(info, at, want.offset) }).toEqual({ at, name: want.name });
    }
  });

  it('follows $TZ as Go does: a leading colon, an absolute path, "" and "UTC", a name that climbs out', () => {
    const at = Date.UTC(2001, 6, 1) / 1000;
    expect(zoneAbbreviation(loadLocalZone({ TZ: ':Europe/Berlin' }), at, 7200)).toBe('CEST');
    expect(zoneAbbreviation(loadLocalZone({ TZ: `${ZONEINFO}/Europe/Berlin` }), at, 7200)).toBe('CEST');
    expect(loadLocalZone({ TZ: '' })).toBeNull();
    expect(loadLocalZone({ TZ: 'UTC' })).toBeNull();
    expect(loadLocalZone({ TZ: '../../../etc/passwd' })).toBeNull();
    expect(loadLocalZone({ TZ: '/nonexistent/zone' })).toBeNull();
    expect(loadLocalZone({ TZ: '/etc/passwd' })).toBeNull();
    expect(loadLocalZone({ TZ: 'No/Such_Zone' })).toBeNull();
  });

  it('reads /etc/localtime without $TZ, as date(1) does', () => {
    const at = Math.floor(Date.now() / 1000);
    const want = dateZone('', at);
    // date(1) with TZ="" means UTC; compare with the unset case through a shell that drops TZ.
    const r = spawnSync('sh', ['-c', 'unset TZ; date +"%Z %z"'], { encoding: 'utf8' });
    const [name, z] = r.stdout.trim().split(' ') as [string, string];
    const offset = (z.startsWith('-') ? -1 : 1) * (Number(z.slice(1, 3)) * 3600 + Number(z.slice(3, 5)) * 60);
    const env: NodeJS.ProcessEnv = {};
    expect(zoneAbbreviation(loadLocalZone(env), at, offset)).toBe(name);
    expect(want.name).toBe('UTC');
  });
});
