/**
 * Completeness across an estate of BOMs (`aispm bom --all`): the median and spread, the least complete models, and the
 * fields most often missing with the source that could fill each. Fed one score at a time, so memory stays flat
 * apart from one number per model.
 */
import { SCALE, SCORED_FIELDS, type CompletenessScore } from './scoring.ts';

export interface EstateSummary {
  scale: string;
  count: number;
  median: number;
  mean: number;
  min: number;
  max: number;
  /** The least complete models, lowest first (ties by key). */
  lowest: { key: string; score: number }[];
  /** Fields missing from at least one BOM, most often missing first: `category.field`, how many BOMs lack it, who could fill it. */
  missing: { field: string; count: number; filledBy: string }[];
}

const round1 = (x: number) => Math.round(x * 10) / 10;
const FILLED_BY = new Map(SCORED_FIELDS.map((f) => [`${f.category}.${f.id}`, f.filledBy]));

export class EstateCompleteness {
  private readonly scores: number[] = [];
  private readonly lowest: { key: string; score: number }[] = [];
  private readonly missing = new Map<string, number>();

  constructor(private readonly keepLowest = 5) {}

  add(key: string, score: CompletenessScore): void {
    this.scores.push(score.total);
    for (const [category, c] of Object.entries(score.categories)) {
      for (const field of c.missing) this.missing.set(`${category}.${field}`, (this.missing.get(`${category}.${field}`) ?? 0) + 1);
    }
    this.lowest.push({ key, score: score.total });
    this.lowest.sort((a, b) => a.score - b.score || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    if (this.lowest.length > this.keepLowest) this.lowest.pop();
  }

  summary(): EstateSummary {
    const sorted = [...this.scores].sort((a, b) => a - b);
    const n = sorted.length;
    const median = n === 0 ? 0 : n % 2 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
    return {
      scale: SCALE,
      count: n,
      median: round1(median),
      mean: n ? round1(sorted.reduce((a, b) => a + b, 0) / n) : 0,
      min: n ? sorted[0]! : 0,
      max: n ? sorted[n - 1]! : 0,
      lowest: [...this.lowest],
      missing: [...this.missing]
        .map(([field, count]) => ({ field, count, filledBy: FILLED_BY.get(field) ?? '' }))
        .sort((a, b) => b.count - a.count || (a.field < b.field ? -1 : 1)),
    };
  }
}
