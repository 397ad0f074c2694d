/**
 * The "to do" lines that open the overview and the report: the warnings worth acting on,
 * each one sentence with its count, leading to the warnings panel. Empty lines are left out.
 */
import type { WarningsResult } from './warnings.ts';

export type TodoId = 'churn' | 'pace' | 'keyDecline';

export interface TodoLine {
  readonly id: TodoId;
  readonly n: number;
  /** The sentence, with the page's number formats. */
  readonly text: string;
}

export interface TodoFormat {
  readonly t: (key: string, params?: Readonly<Record<string, string | number>>) => string;
  int(v: number): string;
  money(v: number): string;
  pct(v: number): string;
}

export function todoLines(w: WarningsResult, paceThreshold: number, f: TodoFormat): TodoLine[] {
  const s = w.summary;
  const lines: TodoLine[] = [
    { id: 'churn', n: s.churn_warning_customers, text: f.t('todo.churn', { n: f.int(s.churn_warning_customers), value: f.money(s.churn_warning_value) }) },
    { id: 'pace', n: s.pace_warning_customers, text: f.t('todo.pace', { n: f.int(s.pace_warning_customers), t: f.pct(paceThreshold) }) },
    { id: 'keyDecline', n: w.keyDecline, text: f.t('todo.keyDecline', { n: f.int(w.keyDecline) }) },
  ];
  return lines.filter((l) => l.n > 0);
}
