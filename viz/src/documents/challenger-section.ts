// The champion-and-challenger part of the monitoring document (issue 19): both models on the same
// outcome rows (the requests both scored that have an outcome), each metric with the difference
// challenger − champion and its 95 % paired-bootstrap interval, and both calibration curves on one
// plot. The figures come from services/models (compareChallenger); this only reads and draws.
import { compareChallenger, type Challengers, type ChallengerComparison, type ModelDetail } from '@enchilada/models';
import type { DocumentBuilder, LayoutDOM } from '../bokeh/model.js';
import { calibrationPlot, count, div, esc } from '../bokeh/builders.js';

export interface ChallengerFigures {
  readonly modelId: number;
  /** Requests in the window the challenger scored. */
  readonly scored: number;
  readonly comparison: ChallengerComparison;
}

/** Reads the window's paired rows and compares (newest 20,000 pairs at most). */
export async function challengerFigures(
  challengers: Challengers,
  name: string,
  challengerId: number,
  model: ModelDetail,
  from: Date,
  to: Date,
): Promise<ChallengerFigures> {
  const [pairs, scored] = await Promise.all([
    challengers.pairs(name, challengerId, from, to),
    challengers.scored(name, challengerId, from, to),
  ]);
  return { modelId: challengerId, scored, comparison: compareChallenger(pairs, model) };
}

const fmt = (v: number) => (Number.isFinite(v) ? v.toFixed(4) : '—');
const signed = (v: number) => (Number.isFinite(v) ? `${v >= 0 ? '+' : ''}${v.toFixed(4)}` : '—');

export function challengerBlocks(b: DocumentBuilder, c: ChallengerFigures, championId: number): LayoutDOM[] {
  const k = c.comparison;
  const head = `<h3 class="h6 mt-2">Champion (model #${championId}) vs challenger (model #${c.modelId})</h3>`;
  if (k.pairs === 0) {
    return [
      div(
        b,
        `<div data-testid="challenger-comparison">${head}<p class="text-body-secondary" data-testid="challenger-empty">The challenger scored
${count(c.scored)} requests in this window; none has an outcome yet, so there is nothing to compare them on.</p></div>`,
      ),
    ];
  }
  const rows = k.metrics
    .map((m) => {
      const clear = m.low > 0 || m.high < 0;
      const good = clear && (m.better === 'higher') === m.low > 0;
      const verdict = !clear ? 'no clear difference' : good ? 'challenger better' : 'challenger worse';
      const cls = !clear ? 'text-body-secondary' : good ? 'text-success' : 'text-danger';
      return `<tr data-metric="${esc(m.metric)}"><td>${esc(m.metric)} <span class="text-body-secondary">(${m.better} is better)</span></td><td>${fmt(m.champion)}</td><td>${fmt(m.challenger)}</td>
<td>${signed(m.difference)}</td><td>[${signed(m.low)}, ${signed(m.high)}]</td><td class="${cls}">${verdict}</td></tr>`;
    })
    .join('');
  const blocks: LayoutDOM[] = [
    div(
      b,
      `<div data-testid="challenger-comparison">${head}
<p class="small">On the same <b data-testid="challenger-pairs">${count(k.pairs)}</b> requests with outcomes (of ${count(c.scored)} the challenger scored in this window).
Difference = challenger − champion; its 95 % interval is a paired bootstrap (${count(k.resamples)} resamples of these rows, both models' metric on each resample, percentile interval).</p>
<table class="table table-sm small w-auto"><thead><tr><th>metric</th><th>champion</th><th>challenger</th><th>difference</th><th>95 % interval</th><th></th></tr></thead><tbody>${rows}</tbody></table></div>`,
    ),
  ];
  if (k.calibration) {
    const cal = k.calibration;
    const what =
      cal.champion.kind === 'positive-class'
        ? `P(${esc(cal.champion.positive ?? '')}) vs share ${esc(cal.champion.positive ?? '')}`
        : 'P(predicted class) vs share right';
    blocks.push(
      calibrationPlot(b, `Same outcomes: ${what} (champion blue, challenger orange)`, [
        { bins: cal.champion.bins, color: '#1f77b4' },
        { bins: cal.challenger.bins, color: '#ff7f0e', marker: 'square' },
      ]),
    );
  }
  return blocks;
}
