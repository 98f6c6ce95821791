import { parseStrictJson, JsonSyntaxError, MAX_JSON_DEPTH } from '../../src/admin/json';

describe('parseStrictJson', () => {
  it('reads what JSON.parse reads, with null-prototype objects', () => {
    const text = '{"a": [1, -2.5e3, true, false, null, "x\\u00e9\\n"], "b": {"c": "d"}}';
    const v = parseStrictJson(text);
    expect(JSON.stringify(v)).toBe(JSON.stringify(JSON.parse(text)));
    expect(Object.getPrototypeOf(v)).toBeNull();
  });

  it.each([
    ['duplicate keys', '{"signal": "SIGTERM", "signal": "SIGKILL"}'],
    ['__proto__', '{"__proto__": {"polluted": true}}'],
    ['constructor', '{"constructor": {"prototype": {"polluted": true}}}'],
    ['prototype', '{"prototype": 1}'],
    ['trailing comma', '{"a": 1,}'],
    ['leading zero', '{"a": 01}'],
    ['hex', '{"a": 0x10}'],
    ['NaN', '{"a": NaN}'],
    ['single quotes', "{'a': 1}"],
    ['trailing garbage', '{"a": 1} x'],
    ['two documents', '{} {}'],
    ['raw control char', '{"a": "x\u0001"}'],
    ['bad escape', '{"a": "\\x41"}'],
    ['comment', '{"a": 1 /* c */}'],
    ['empty', ''],
    ['infinite number', '{"a": 1e400}'],
  ])('refuses %s', (_name, text) => {
    expect(() => parseStrictJson(text)).toThrow(JsonSyntaxError);
  });

  it('refuses nesting deeper than the limit without recursing further', () => {
    expect(() => parseStrictJson('['.repeat(MAX_JSON_DEPTH + 1) + ']'.repeat(MAX_JSON_DEPTH + 1))).toThrow(/nesting/);
    expect(() => parseStrictJson('['.repeat(2000))).toThrow(/nesting/);
    expect(parseStrictJson('['.repeat(MAX_JSON_DEPTH) + ']'.repeat(MAX_JSON_DEPTH))).toEqual(expect.any(Array));
  });

  it('leaves Object.prototype untouched', () => {
    expect(() => parseStrictJson('{"a": {"__proto__": {"polluted": 1}}}')).toThrow(JsonSyntaxError);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});
