import * as fs from 'node:fs';
import * as path from 'node:path';
import { ParseError } from '../../../../src/probes/errors';
import { parseKstatTable, parseZpoolIo } from '../../../../src/probes/linux/parse/zfs';
import { NODE_EXPORTER_FIXTURES, own, testPeer } from '../../../helpers/fixtures';
import { GARBAGE, onlyParseErrors } from '../../../helpers/garbage';

const ours = (name: string): Buffer => fs.readFileSync(own('parse', 'zfs', name));

describe('parseKstatTable', () => {
  test('our arcstats: uint64 and int64 rows in file order, a negative int64 kept', () => {
    expect(parseKstatTable(ours('arcstats'))).toEqual({
      numbers: [
        { name: 'hits', value: 90211342 },
        { name: 'misses', value: 120443 },
        { name: 'c_max', value: 16777216000 },
        { name: 'arc_no_grow', value: 0 },
        { name: 'memory_available_bytes', value: -1048576 },
        { name: 'arc_raw_size', value: 0 },
      ],
      strings: {},
    });
  });

  test("our objset: the dataset's name is a string row (with a space)", () => {
    const t = parseKstatTable(ours('objset-0x36'));
    expect(t.strings).toEqual({ dataset_name: 'tank/home with space' });
    expect(t.numbers.map((e) => e.name)).toEqual(['writes', 'nwritten', 'reads', 'nread', 'nunlinks', 'nunlinked']);
  });

  testPeer("node_exporter's arcstats and fm (names with dashes)", () => {
    const zfs = path.join(NODE_EXPORTER_FIXTURES, 'proc', 'spl', 'kstat', 'zfs');
    expect(parseKstatTable(fs.readFileSync(path.join(zfs, 'arcstats'))).numbers).toHaveLength(92);
    expect(parseKstatTable(fs.readFileSync(path.join(zfs, 'fm'))).numbers[0]).toEqual({
      name: 'erpt-dropped',
      value: 18,
    });
  });

  test('malformed input is a ParseError', () => {
    expect(() => parseKstatTable('1 1 0x01\nhits 4 5\n', '/p/k')).toThrow(/\/p\/k.*no `name type data` header/);
    expect(() => parseKstatTable('name type data\nhits 4 -5\n')).toThrow(/not an integer/);
    expect(() => parseKstatTable('name type data\nhits\n')).toThrow(/not a kstat row/);
    for (const [, input] of GARBAGE) expect(() => parseKstatTable(input)).toThrow(ParseError);
    onlyParseErrors((b) => parseKstatTable(b), [ours('arcstats')]);
  });
});

describe('parseZpoolIo', () => {
  test('our io file: the twelve columns by name', () => {
    const io = parseZpoolIo(ours('io'));
    expect(io.map((e) => e.name)).toEqual([
      'nread',
      'nwritten',
      'reads',
      'writes',
      'wtime',
      'wlentime',
      'wupdate',
      'rtime',
      'rlentime',
      'rupdate',
      'wcnt',
      'rcnt',
    ]);
    expect(io[0]).toEqual({ name: 'nread', value: 90211840 });
    expect(io[11]).toEqual({ name: 'rcnt', value: 1 });
  });

  test('malformed input is a ParseError', () => {
    expect(() => parseZpoolIo('nread nwritten\n1\n')).toThrow(/2 column names over 1 values/);
    expect(() => parseZpoolIo('nread\nx\n')).toThrow(/not a count/);
    for (const [, input] of GARBAGE) expect(() => parseZpoolIo(input)).toThrow(ParseError);
    onlyParseErrors((b) => parseZpoolIo(b), [ours('io')]);
  });
});
