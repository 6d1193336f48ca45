/** Number formatting for benchmark output: readable, and stable enough to paste into bench/README.md. */

export function fmtInt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export function fmtMs(ms: number): string {
  return ms >= 100 ? `${ms.toFixed(0)} ms` : `${ms.toFixed(1)} ms`;
}

export function fmtRatio(r: number): string {
  return `${r.toFixed(1)}×`;
}
