/**
 * The few numeric flags benchmarks take (`--scale 0.1`, `--seed=7`). Unknown flags are an error, so a typo does
 * not silently run the default.
 */

export type NumericFlags<K extends string> = Record<K, number>;

export function parseNumericFlags<K extends string>(argv: readonly string[], defaults: NumericFlags<K>): NumericFlags<K> {
  const out = { ...defaults };
  const known = Object.keys(defaults) as K[];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const m = /^--([A-Za-z][\w-]*)(?:=(.*))?$/.exec(arg);
    if (!m) throw new Error(`unexpected argument "${arg}"; flags: ${known.map((k) => `--${k} <number>`).join(' ')}`);
    const name = m[1] as K;
    if (!known.includes(name)) throw new Error(`unknown flag --${name}; flags: ${known.map((k) => `--${k}`).join(' ')}`);
    const raw = m[2] ?? argv[++i];
    const value = Number(raw);
    if (raw === undefined || raw === '' || !Number.isFinite(value)) throw new Error(`--${name} needs a number, got ${raw === undefined ? 'nothing' : `"${raw}"`}`);
    out[name] = value;
  }
  return out;
}
