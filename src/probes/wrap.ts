/**
 * Counter wrap-around compensation (psutil's _WrapNumbers), for netIoCounters/diskIoCounters({ nowrap: true }).
 * Remembers the previous values per key; when a field decreases, the old value is added to that field's reminder
 * from then on. Keys that disappear drop their reminders. One WrapNumbers per API (per instance).
 */
export type CounterRecord = Readonly<Record<string, number>>;

export class WrapNumbers<T extends CounterRecord> {
  private last = new Map<string, T>();
  private reminders = new Map<string, Map<string, number>>();

  /** Returns the input with every decreasing counter compensated. Non-numeric fields pass through. */
  run(input: Readonly<Record<string, T>>): Record<string, T> {
    const out: Record<string, T> = {};
    const seen = new Set<string>();
    for (const [key, now] of Object.entries(input)) {
      seen.add(key);
      const prev = this.last.get(key);
      let rem = this.reminders.get(key);
      if (prev !== undefined) {
        for (const field of Object.keys(now)) {
          const a = prev[field];
          const b = now[field];
          if (typeof a === 'number' && typeof b === 'number' && b < a) {
            if (!rem) {
              rem = new Map();
              this.reminders.set(key, rem);
            }
            rem.set(field, (rem.get(field) ?? 0) + a);
          }
        }
      }
      this.last.set(key, now);
      if (rem && rem.size) {
        const fixed: Record<string, number> = { ...now };
        for (const [field, add] of rem) if (typeof fixed[field] === 'number') fixed[field] += add;
        out[key] = Object.freeze(fixed) as unknown as T;
      } else {
        out[key] = now;
      }
    }
    for (const key of [...this.last.keys()]) {
      if (!seen.has(key)) {
        this.last.delete(key);
        this.reminders.delete(key);
      }
    }
    return out;
  }

  /** psutil's cache_clear(). */
  clear(): void {
    this.last.clear();
    this.reminders.clear();
  }
}
