/** Peak and current memory of this process, for the figures a benchmark prints. */

/** Peak resident set size so far, in MiB (Linux reports maxRSS in KiB). */
export function peakRssMiB(): number {
  return process.resourceUsage().maxRSS / 1024;
}

export function currentRssMiB(): number {
  return process.memoryUsage().rss / (1024 * 1024);
}
