// The overview: every dataset with its row count, as bars and a table.
import type { Catalog } from '@enchilada/data';
import { DocumentBuilder, type EmbedItem } from '../bokeh/model.js';
import { count, dataTable, div, esc, figure, glyph, source } from '../bokeh/builders.js';

export interface TableCount {
  readonly name: string;
  readonly rows: number;
  /** The dataset the table stores: its name and title. */
  readonly holds: string;
}

/**
 * The datasets' tables with their row counts, from the catalogue (each load writes its exact count).
 * The application's own tables are not listed: they say nothing to a person choosing data.
 */
export async function tableCounts(catalog: Catalog): Promise<TableCount[]> {
  try {
    return (await catalog.list()).map((d) => ({
      name: d.name,
      rows: d.rowCount,
      holds: `dataset ${d.name}: ${d.title}`,
    }));
  } catch (e) {
    // viz answers before web has migrated a new database: no catalogue yet is no dataset yet.
    if ((e as { code?: unknown }).code === 'ER_NO_SUCH_TABLE') return [];
    throw e;
  }
}

export function overviewDocument(database: string, counts: readonly TableCount[]): EmbedItem {
  const b = new DocumentBuilder();
  const heading = div(
    b,
    `<h2 class="h5 mb-0">Datasets by size <span class="small text-body-secondary fw-normal">in <code>${esc(database)}</code></span></h2>`,
  );
  if (counts.length === 0) {
    const empty = div(
      b,
      '<p class="text-body-secondary" data-testid="overview-empty">The database holds no datasets yet. Load a toy dataset or upload a CSV to begin.</p>',
    );
    // The chart's frame stays, empty, so the page looks the same before and after the first load.
    const frame = figure(b, {
      title: 'Rows per dataset (none yet)',
      xLabel: 'rows',
      xStart: 0,
      xEnd: 1000,
      height: 160,
      toolbar: false,
    });
    return b.item(b.bk('Column', { children: [heading, empty, frame], sizing_mode: 'stretch_width' }), 'Overview');
  }
  const sorted = [...counts].sort((a, b2) => a.rows - b2.rows);
  const names = sorted.map((c) => c.name);
  const rows = sorted.map((c) => c.rows);
  const data = source(b, { table: names, rows, label: rows.map((r) => count(r)), holds: sorted.map((c) => c.holds) });
  const bars = glyph(b, data, 'HBar', {
    y: { field: 'table' },
    right: { field: 'rows' },
    left: 0,
    height: 0.7,
    fill_color: '#1f77b4',
    line_color: null,
  });
  const plot = figure(b, {
    title: 'Rows per dataset',
    xLabel: 'rows',
    xStart: 0,
    yFactors: names,
    height: Math.max(220, 40 + 36 * names.length),
    tooltips: [
      ['dataset', '@table'],
      ['holds', '@holds'],
      ['rows', '@label'],
    ],
    renderers: [bars],
  });
  const tableData = source(b, {
    table: [...names].reverse(),
    holds: sorted.map((c) => c.holds).reverse(),
    rows: [...rows].reverse(),
  });
  const table = dataTable(
    b,
    tableData,
    [
      { field: 'table', title: 'Dataset' },
      { field: 'holds', title: 'Holds' },
      { field: 'rows', title: 'Rows', numeric: true },
    ],
    Math.min(600, 40 + 28 * names.length),
  );
  return b.item(b.bk('Column', { children: [heading, plot, table], sizing_mode: 'stretch_width' }), 'Overview');
}
