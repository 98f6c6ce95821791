/**
 * The textfile collector: the text format parser on crafted inputs (node_exporter 1.5's verdicts, checked against the
 * Debian binary), the merge of several files, and a pass over real temp directories (symlinks, a vanished file,
 * non-.prom files, caps).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  collectTextfiles,
  mergeTextfiles,
  readTextfile,
  textfileCollector,
  textfileFamilies,
  type TextfileData,
} from '../../../src/exporters/collectors/textfile';
import { blockText, DEFAULT_LIMITS, parseTextFormat, renderFamilies } from '../../../src/exporters/exposition';
import { createLogger, type Logger } from '../../../src/exporters/log';
import { ParseError } from '../../../src/probes/errors';
import { own } from '../../helpers/fixtures';
import { mutate, randomBytes } from '../../helpers/garbage';
import { removeTmpTrees, tmpTree } from '../../helpers/tmptree';

afterAll(removeTmpTrees);

function recorder(): { log: Logger; lines: () => string[] } {
  const out: string[] = [];
  return {
    log: createLogger('error', (l) => out.push(l)),
    lines: () => out.map((l) => (JSON.parse(l) as { problem: string }).problem),
  };
}

const options = (...directories: string[]) => textfileCollector.options({ directories, max_file_bytes: 1024 * 1024 });

function render(d: TextfileData): string {
  return renderFamilies(textfileFamilies(d), DEFAULT_LIMITS).families.map(blockText).join('\n');
}

describe('parseTextFormat', () => {
  test('comments, blank lines, leading blanks, escapes, special floats, trailing comma, spaces in braces', () => {
    const fams = parseTextFormat(
      [
        '# a comment',
        '#HELP a help without a space after the hash',
        '',
        '   a 1',
        '\t',
        '# FOO b bar',
        '# HELP b with \\\\ and \\n',
        '# TYPE b Gauge',
        'b{l="q\\" bs\\\\ nl\\n",} +Inf',
        'b{ l = "x" } NaN',
        'b{l="y"}-1.5e3',
        'c:d -Infinity',
        'e .5',
        '',
      ].join('\n'),
    );
    expect(fams).toEqual([
      {
        name: 'a',
        help: 'help without a space after the hash',
        type: 'untyped',
        samples: [{ name: 'a', labels: {}, value: 1, timestampMs: null }],
      },
      {
        name: 'b',
        help: 'with \\ and \n',
        type: 'gauge',
        samples: [
          { name: 'b', labels: { l: 'q" bs\\ nl\n' }, value: Infinity, timestampMs: null },
          { name: 'b', labels: { l: 'x' }, value: NaN, timestampMs: null },
          { name: 'b', labels: { l: 'y' }, value: -1500, timestampMs: null },
        ],
      },
      {
        name: 'c:d',
        help: null,
        type: 'untyped',
        samples: [{ name: 'c:d', labels: {}, value: -Infinity, timestampMs: null }],
      },
      { name: 'e', help: null, type: 'untyped', samples: [{ name: 'e', labels: {}, value: 0.5, timestampMs: null }] },
    ]);
  });

  test('an empty file, HELP/TYPE without samples, `# HELP x` with nothing after it', () => {
    expect(parseTextFormat('')).toEqual([]);
    expect(parseTextFormat('\n\n')).toEqual([]);
    expect(parseTextFormat('# HELP x only help\n# TYPE x gauge\n')).toEqual([]);
    expect(parseTextFormat('# HELP y\n# TYPE y\ny 1\n')).toEqual([
      { name: 'y', help: null, type: 'untyped', samples: [{ name: 'y', labels: {}, value: 1, timestampMs: null }] },
    ]);
  });

  test('samples of a family need not be contiguous; timestamps are kept for the collector to refuse', () => {
    const fams = parseTextFormat('a 1\nb 2\na{x="y"} 3 -5\n');
    expect(fams.map((f) => [f.name, f.samples.length])).toEqual([
      ['a', 2],
      ['b', 1],
    ]);
    expect(fams[0]?.samples[1]?.timestampMs).toBe(-5);
  });

  test('histogram and summary samples belong to their family', () => {
    const fams = parseTextFormat(
      '# TYPE h histogram\nh_bucket{le="1"} 1\nh_bucket{le="+Inf"} 2\nh_sum 3\nh_count 2\n# TYPE s summary\ns{quantile="0.5"} 1\ns_sum 2\ns_count 3\ng_sum 4\n',
    );
    expect(fams.map((f) => [f.name, f.type, f.samples.map((s) => s.name)])).toEqual([
      ['h', 'histogram', ['h_bucket', 'h_bucket', 'h_sum', 'h_count']],
      ['s', 'summary', ['s', 's_sum', 's_count']],
      ['g_sum', 'untyped', ['g_sum']],
    ]);
  });

  test('le of a histogram and quantile of a summary sample must be floats (expfmt); elsewhere they are labels', () => {
    expect(() => parseTextFormat('# TYPE h histogram\nh_bucket{le="x"} 1\n')).toThrow(
      /line 2: expected float as value for "le" label/,
    );
    expect(() => parseTextFormat('# TYPE s summary\ns_sum{quantile="0x1"} 1\n')).toThrow(
      /expected float as value for "quantile" label/,
    );
    expect(parseTextFormat('g{le="x",quantile="y"} 1\n')[0]?.samples[0]?.labels).toEqual({ le: 'x', quantile: 'y' });
  });

  test('a blank last line may lack its newline', () => {
    expect(parseTextFormat('a 1\n  ').map((f) => f.name)).toEqual(['a']);
  });

  // Each of these made node_exporter 1.5.0 skip the file (its message in the comment where it is not obvious).
  test.each([
    ['missing trailing newline', 'a 1\nb 2'],
    ['comment without trailing newline', 'a 1\n# comment'],
    ['trailing blank after the value', 'a 1 \n'], // expected integer as timestamp, got ""
    ['CRLF', 'a 1\r\n'],
    ['hex float', 'a 0x1A\n'],
    ['underscore', 'a 1_000\n'],
    ['overflow', 'a 1e400\n'],
    ['float timestamp', 'a 1 1.5\n'],
    ['three fields', 'a 1 2 3\n'],
    ['no value', 'a\n'],
    ['bad label escape', 'a{l="\\t"} 1\n'],
    ['bad HELP escape', '# HELP a x \\t\na 1\n'],
    ['second HELP', '# HELP a x\n# HELP a y\na 1\n'],
    ['second TYPE', '# TYPE a gauge\n# TYPE a counter\na 1\n'],
    ['TYPE after samples', 'a 1\n# TYPE a gauge\n'],
    ['unknown type', '# TYPE a gaugee\na 1\n'],
    ['duplicate label', 'a{l="1",l="2"} 1\n'],
    ['reserved __name__', 'a{__name__="b"} 1\n'],
    ['__ label (node_exporter 1.5 panics)', 'a{__x="b"} 1\n'],
    ['unquoted label value', 'a{l=1} 1\n'],
    ['unclosed label value', 'a{l="1} 1\n'],
    ['label value across lines', 'a{l="x\ny"} 1\n'],
    ['bad metric name', '1a 1\n'],
    ['bad name in HELP', '# HELP 1a x\n'],
    ['invalid UTF-8 in a name', Buffer.from([0x61, 0xff, 0x20, 0x31, 0x0a])],
  ])('ParseError: %s', (_what, input) => {
    expect(() => parseTextFormat(input, 'f.prom')).toThrow(ParseError);
  });

  test('invalid UTF-8 in a label value or HELP becomes U+FFFD', () => {
    const input = Buffer.concat([
      Buffer.from('# HELP a h'),
      Buffer.from([0xc3]),
      Buffer.from('\na{l="'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('"} 1\n'),
    ]);
    expect(parseTextFormat(input)[0]).toMatchObject({ help: 'h\uFFFD', samples: [{ labels: { l: '\uFFFD\uFFFD' } }] });
  });

  test('garbage: ParseError or families, never another error', () => {
    const base = Buffer.from('# HELP a x\n# TYPE a counter\na{l="v"} 1\nb 2\n');
    const inputs = [
      randomBytes(64 * 1024),
      Buffer.alloc(64),
      ...Array.from({ length: 200 }, (_, i) => mutate(base, i + 1)),
    ];
    for (const input of inputs) {
      try {
        parseTextFormat(input);
      } catch (e) {
        expect(e).toBeInstanceOf(ParseError);
      }
    }
  });
});

describe('mergeTextfiles', () => {
  const file = (p: string, text: string) => ({ path: p, families: parseTextFormat(text, p) });

  test('same HELP and type: merged, label names the union ("" where a series lacks one)', () => {
    const { families, problems } = mergeTextfiles([
      file('d/a.prom', '# HELP e h\n# TYPE e counter\ne{foo="bar"} 10\n'),
      file('d/b.prom', '# HELP e h\n# TYPE e counter\ne{baz="x"} 30\n'),
    ]);
    expect(problems).toEqual([]);
    expect(families).toEqual([
      {
        name: 'e',
        help: 'h',
        type: 'counter',
        labelNames: ['baz', 'foo'],
        series: [
          { labels: { baz: '', foo: 'bar' }, value: 10 },
          { labels: { baz: 'x', foo: '' }, value: 30 },
        ],
      },
    ]);
  });

  test('no HELP anywhere: "Metric read from" every file holding it', () => {
    const { families } = mergeTextfiles([
      file('d/a.prom', 'e 1\n'),
      file('d/b.prom', 'f 1\n'),
      file('d/c.prom', 'e{x="2"} 2\n'),
    ]);
    expect(families.map((f) => [f.name, f.help])).toEqual([
      ['e', 'Metric read from d/a.prom, d/c.prom'],
      ['f', 'Metric read from d/b.prom'],
    ]);
  });

  test("conflicting HELP or type: the first file's family wins, the later one is skipped and reported", () => {
    const { families, problems } = mergeTextfiles([
      file('a.prom', '# HELP e one\n# TYPE e counter\ne{f="a"} 1\n# TYPE g gauge\ng 1\n'),
      file('b.prom', '# HELP e two\n# TYPE e counter\ne{f="b"} 2\n'),
      file('c.prom', '# TYPE g counter\ng{x="c"} 3\n'),
      file('d.prom', '# TYPE e counter\ne{f="d"} 4\n'), // no HELP: "Metric read from a, b, d" differs from "one"
    ]);
    expect(families.map((f) => [f.name, f.type, f.help, f.series.map((s) => s.value)])).toEqual([
      ['e', 'counter', 'one', [1]],
      ['g', 'gauge', 'Metric read from a.prom, c.prom', [1]],
    ]);
    expect(problems).toHaveLength(3);
    expect(problems).toEqual([
      expect.stringMatching(/^metric e in b\.prom has help "two" but a\.prom gave it "one"/),
      expect.stringMatching(/^metric e in d\.prom has help "Metric read from a\.prom, b\.prom, d\.prom" but/),
      expect.stringMatching(/^metric g in c\.prom is of type counter, but a\.prom made it gauge/),
    ]);
  });

  test('a series seen before (in the same or another file) is dropped: first wins', () => {
    const { families, problems } = mergeTextfiles([
      file('a.prom', 'd{x="1"} 1\nd{x="1"} 9\n'),
      file('b.prom', 'd{x="1"} 2\nd{x="2"} 3\n'),
    ]);
    expect(families[0]?.series).toEqual([
      { labels: { x: '1' }, value: 1 },
      { labels: { x: '2' }, value: 3 },
    ]);
    expect(problems).toHaveLength(2);
  });

  test("the collector's own names are skipped and reported", () => {
    const { families, problems } = mergeTextfiles([
      file('a.prom', 'node_textfile_scrape_error 0\nnode_textfile_mtime_seconds{file="x"} 1\nok 1\n'),
    ]);
    expect(families.map((f) => f.name)).toEqual(['ok']);
    expect(problems.map((p) => /metric (\S+)/.exec(p)?.[1])).toEqual([
      'node_textfile_scrape_error',
      'node_textfile_mtime_seconds',
    ]);
  });

  test('histogram and summary: one series per label set wherever its lines stand, le/quantile aside', () => {
    const { families, problems } = mergeTextfiles([
      file(
        'a.prom',
        [
          '# HELP h Hist.',
          '# TYPE h histogram',
          'h_bucket{p="a",le="1"} 1',
          'h_bucket{le="0.5",p="b"} 4',
          'h_sum{p="a"} 2',
          'h_bucket{p="a",le="+Inf"} 3',
          'h_count{p="a"} 3',
          '# TYPE s summary',
          's{quantile="0.9"} 7',
          's{quantile="0.1"} 1',
          's_count 2.9',
          's 5',
          '',
        ].join('\n'),
      ),
    ]);
    expect(problems).toEqual([]);
    expect(families).toEqual([
      {
        name: 'h',
        help: 'Hist.',
        type: 'histogram',
        labelNames: ['p'],
        series: [
          {
            labels: { p: 'a' },
            value: 3,
            samples: [
              { name: 'h_bucket', bound: 1, value: 1 },
              { name: 'h_bucket', bound: Infinity, value: 3 },
              { name: 'h_sum', bound: null, value: 2 },
              { name: 'h_count', bound: null, value: 3 },
            ],
          },
          // no +Inf bucket: one holding _count (0: no _count line either); no _sum: 0
          {
            labels: { p: 'b' },
            value: 0,
            samples: [
              { name: 'h_bucket', bound: 0.5, value: 4 },
              { name: 'h_bucket', bound: Infinity, value: 0 },
              { name: 'h_sum', bound: null, value: 0 },
              { name: 'h_count', bound: null, value: 0 },
            ],
          },
        ],
      },
      // quantiles sorted, _count cut to a whole number (uint64), the line without quantile ignored
      {
        name: 's',
        help: 'Metric read from a.prom',
        type: 'summary',
        labelNames: [],
        series: [
          {
            labels: {},
            value: 2,
            samples: [
              { name: 's', bound: 0.1, value: 1 },
              { name: 's', bound: 0.9, value: 7 },
              { name: 's_sum', bound: null, value: 0 },
              { name: 's_count', bound: null, value: 2 },
            ],
          },
        ],
      },
    ]);
  });

  test('histogram and summary: a label set seen in an earlier file and counts that are no uint64 are dropped and reported', () => {
    const { families, problems } = mergeTextfiles([
      file(
        'a.prom',
        '# TYPE h histogram\nh_bucket{x="1",le="1"} 1\nh_count{x="1"} 1\nh_bucket{x="2",le="1"} -1\nh_count{x="3"} NaN\n# TYPE s summary\ns_count{x="4"} +Inf\ns_count{x="5"} 1\n',
      ),
      file('b.prom', '# TYPE h histogram\nh_bucket{x="1",le="1"} 9\nh_count{x="1"} 9\nh_count{x="6"} 1\n'),
    ]);
    expect(families.map((f) => [f.name, f.series.map((s) => s.labels['x'])])).toEqual([
      ['h', ['1', '6']],
      ['s', ['5']],
    ]);
    expect(problems).toEqual([
      expect.stringMatching(/^metric h\{"x":"2"\} in a\.prom has count -1, not a whole number/),
      expect.stringMatching(/^metric h\{"x":"3"\} in a\.prom has count NaN/),
      expect.stringMatching(/^metric h\{"x":"1"\} in b\.prom was seen before/),
      expect.stringMatching(/^metric s\{"x":"4"\} in a\.prom has count Infinity/),
    ]);
  });
});

describe('collectTextfiles on real directories', () => {
  test('two_metric_files (node_exporter e2e fixture): families, mtimes and scrape_error as node_exporter renders them', async () => {
    const dir = own('textfile', 'two_metric_files');
    const rec = recorder();
    const d = collectTextfiles(options(dir), rec.log);
    expect(rec.lines()).toEqual([]);
    expect(d.error).toBe(false);
    const mtimes = ['metrics1.prom', 'metrics2.prom'].map((n) => ({
      file: path.join(dir, n),
      mtime: Math.floor(fs.statSync(path.join(dir, n)).mtimeMs / 1000),
    }));
    expect(d.mtimes).toEqual(mtimes);
    const text = render(d);
    expect(text).toContain(
      `# HELP testmetric1_1 Metric read from ${path.join(dir, 'metrics1.prom')}\n# TYPE testmetric1_1 untyped\ntestmetric1_1{foo="bar"} 10`,
    );
    expect(text).toContain('testmetric2_2{foo="baz"} 40');
    expect(text).toContain(
      '# HELP node_textfile_scrape_error 1 if there was an error opening or reading a file, 0 otherwise\n# TYPE node_textfile_scrape_error gauge\nnode_textfile_scrape_error 0',
    );
    expect(text).toContain(
      '# HELP node_textfile_mtime_seconds Unixtime mtime of textfiles successfully read.\n# TYPE node_textfile_mtime_seconds gauge',
    );
  });

  test('a file with a histogram and a summary round-trips: the same lines out (le/quantile in Go float format, as node_exporter 1.5 writes them)', async () => {
    const lines = [
      '# HELP req_seconds Request time.',
      '# TYPE req_seconds histogram',
      'req_seconds_bucket{code="200",path="/a",le="1e-05"} 0',
      'req_seconds_bucket{code="200",path="/a",le="0.25"} 3',
      'req_seconds_bucket{code="200",path="/a",le="100000"} 4',
      'req_seconds_bucket{code="200",path="/a",le="1e+06"} 5',
      'req_seconds_bucket{code="200",path="/a",le="+Inf"} 6',
      'req_seconds_sum{code="200",path="/a"} 1500.5',
      'req_seconds_count{code="200",path="/a"} 6',
      'req_seconds_bucket{code="500",path="/b \\"x\\"",le="1e-05"} 1',
      'req_seconds_bucket{code="500",path="/b \\"x\\"",le="0.25"} 1',
      'req_seconds_bucket{code="500",path="/b \\"x\\"",le="100000"} 1',
      'req_seconds_bucket{code="500",path="/b \\"x\\"",le="1e+06"} 1',
      'req_seconds_bucket{code="500",path="/b \\"x\\"",le="+Inf"} 1',
      'req_seconds_sum{code="500",path="/b \\"x\\""} 0.5',
      'req_seconds_count{code="500",path="/b \\"x\\""} 1',
      '# HELP rpc_seconds RPC time.',
      '# TYPE rpc_seconds summary',
      'rpc_seconds{service="db",quantile="0.0001"} 0.5',
      'rpc_seconds{service="db",quantile="0.5"} 1.25',
      'rpc_seconds{service="db",quantile="0.99"} NaN',
      'rpc_seconds_sum{service="db"} 100',
      'rpc_seconds_count{service="db"} 20',
    ];
    const dir = tmpTree({ 'app.prom': `${lines.join('\n')}\n` });
    const rec = recorder();
    const d = collectTextfiles(options(dir), rec.log);
    expect(rec.lines()).toEqual([]);
    expect(d.error).toBe(false);
    // prom-client writes NaN as "Nan" (Go's ParseFloat and Prometheus read it case-insensitively)
    const text = render(d).replace(/ Nan$/gm, ' NaN');
    const ours = text.split('\n').filter((l) => /^(# (HELP|TYPE) )?(req|rpc)_seconds/.test(l));
    expect(ours).toEqual(lines);
  });

  test('non-.prom files and subdirectories are not read; a symlinked file is; bad files are skipped whole', () => {
    const other = tmpTree({ 'target.txt': 'linked 7\n' });
    const dir = tmpTree({
      'a.prom': 'a 1\n',
      'notes.txt': 'x 1\n',
      'a.prom.tmp': 'y 1\n',
      'sub/deep.prom': 'deep 1\n',
      'b.prom': 'b 1 1700000000000\n',
      'c.prom': 'c 1',
      'e.prom': '',
    });
    fs.symlinkSync(path.join(other, 'target.txt'), path.join(dir, 'link.prom'));
    fs.symlinkSync(path.join(dir, 'gone.txt'), path.join(dir, 'dangling.prom')); // listed, then ENOENT: as a file deleted after the listing
    fs.mkdirSync(path.join(dir, 'dir.prom'));
    const rec = recorder();
    const d = collectTextfiles(options(dir), rec.log);
    expect(d.families.map((f) => [f.name, f.series[0]?.value])).toEqual([
      ['a', 1],
      ['linked', 7],
    ]);
    expect(d.mtimes.map((m) => path.basename(m.file))).toEqual(['a.prom', 'e.prom', 'link.prom']);
    expect(d.error).toBe(true);
    const problems = rec.lines();
    expect(problems).toHaveLength(4);
    expect(problems.join('\n')).toMatch(
      /timestamps[\s\S]*c\.prom.*unexpected end of input stream[\s\S]*dangling\.prom.*ENOENT[\s\S]*dir\.prom.*not a regular file/,
    );
  });

  test('a file that vanished between listing and reading is a problem, not a throw', () => {
    const dir = tmpTree();
    const r = readTextfile(path.join(dir, 'vanished.prom'), 1024);
    expect(r).toEqual({ problem: expect.stringMatching(/failed to open.*ENOENT/) });
  });

  test('a file over max_file_bytes is refused', () => {
    const dir = tmpTree({ 'big.prom': `big ${'1'.repeat(100)}\n`, 'small.prom': 's 1\n' });
    const rec = recorder();
    const d = collectTextfiles({ ...options(dir), maxFileBytes: 64 }, rec.log);
    expect(d.families.map((f) => f.name)).toEqual(['s']);
    expect(rec.lines()).toEqual([expect.stringMatching(/big\.prom" is 105 bytes, over max_file_bytes \(64\)/)]);
  });

  test('no directory: nothing read, scrape_error 0; a missing directory: scrape_error 1; several directories', async () => {
    const none = collectTextfiles(textfileCollector.options({ directory: '' }), recorder().log);
    expect(none).toEqual({ families: [], mtimes: [], error: false });
    expect(render(none)).toBe(
      '# HELP node_textfile_scrape_error 1 if there was an error opening or reading a file, 0 otherwise\n# TYPE node_textfile_scrape_error gauge\nnode_textfile_scrape_error 0',
    );
    const rec = recorder();
    const missing = collectTextfiles(options('/nonexistent/textfile/dir'), rec.log);
    expect(missing.error).toBe(true);
    expect(rec.lines()).toEqual([
      expect.stringMatching(/failed to read textfile collector directory "\/nonexistent\/textfile\/dir": ENOENT/),
    ]);
    const a = tmpTree({ 'x.prom': 'x 1\n' });
    const b = tmpTree({ 'x.prom': 'x{d="b"} 2\n' });
    const two = collectTextfiles(textfileCollector.options({ directory: a, directories: [b, a] }), recorder().log);
    expect(two.families).toEqual([
      {
        name: 'x',
        help: `Metric read from ${path.join(a, 'x.prom')}, ${path.join(b, 'x.prom')}`,
        type: 'untyped',
        labelNames: ['d'],
        series: [
          { labels: { d: '' }, value: 1 },
          { labels: { d: 'b' }, value: 2 },
        ],
      },
    ]);
  });

  test('options: defaults and the injected log level', () => {
    expect(textfileCollector.options({})).toEqual({ directories: [], maxFileBytes: 4 * 1024 * 1024, logLevel: 'info' });
    expect(textfileCollector.options({ directory: 'd', max_file_bytes: 10, log_level: 'debug' })).toEqual({
      directories: ['d'],
      maxFileBytes: 10,
      logLevel: 'debug',
    });
  });
});
