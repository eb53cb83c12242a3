// The overview: every table in the application database with its row count, as bars and a table.
import { quoteIdent, type Pool, type RowDataPacket } from '@enchilada/core';
import { DocumentBuilder, type EmbedItem } from '../bokeh/model.js';
import { count, dataTable, div, esc, figure, glyph, source } from '../bokeh/builders.js';

export interface TableCount {
  readonly name: string;
  readonly rows: number;
  /** What the table is for: the dataset it stores, or the application's own use; '' if unknown. */
  readonly holds: string;
}

/** The application's own tables (db/migrations), as a reader would name them. */
const OWN_TABLES: Readonly<Record<string, string>> = {
  users: 'accounts', datasets: 'the dataset catalogue', dataset_loads: 'dataset loads in progress (cleaned up after a crash)',
  test_runs: 'test suite runs (development mode)', jobs: 'training jobs', models: 'trained models with their ONNX',
  published_models: 'published names', published_model_versions: 'the version history of each name', api_keys: 'API keys (hashes)',
  serving_changes: 'the change counter serve watches', predictions: 'every prediction served, with its outcome',
  rate_windows: 'rate-limit counts shared by serve processes', schema_migrations: 'applied database migrations',
};

export async function tableCounts(pool: Pool): Promise<TableCount[]> {
  const [tables] = await pool.query<RowDataPacket[]>(
    "SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME");
  const datasets = new Map<string, string>();
  if (tables.some((t) => String(t.name) === 'datasets')) {
    const [ds] = await pool.query<RowDataPacket[]>('SELECT table_name, name, title FROM datasets');
    for (const d of ds) datasets.set(String(d.table_name), `dataset ${String(d.name)}: ${String(d.title)}`);
  }
  const out: TableCount[] = [];
  for (const t of tables) {
    const name = String(t.name);
    // Exact counts (information_schema's TABLE_ROWS is an estimate for InnoDB). Names come from
    // the server's own catalogue and are still quoted by the one identifier helper.
    const [rows] = await pool.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM ${quoteIdent(name)}`);
    out.push({ name, rows: Number(rows[0]?.n ?? 0), holds: datasets.get(name) ?? OWN_TABLES[name] ?? '' });
  }
  return out;
}

export function overviewDocument(database: string, counts: readonly TableCount[]): EmbedItem {
  const b = new DocumentBuilder();
  const heading = div(b, `<h2 class="h5 mb-0">Tables in <code>${esc(database)}</code></h2>`);
  if (counts.length === 0) {
    const empty = div(b, '<p class="text-body-secondary" data-testid="overview-empty">The database holds no tables yet. Load a toy dataset or upload a CSV to begin.</p>');
    return b.item(b.bk('Column', { children: [heading, empty], sizing_mode: 'stretch_width' }), 'Overview');
  }
  const sorted = [...counts].sort((a, b2) => a.rows - b2.rows);
  const names = sorted.map((c) => c.name);
  const rows = sorted.map((c) => c.rows);
  const data = source(b, { table: names, rows, label: rows.map((r) => count(r)), holds: sorted.map((c) => c.holds) });
  const bars = glyph(b, data, 'HBar', {
    y: { field: 'table' }, right: { field: 'rows' }, left: 0, height: 0.7, fill_color: '#1f77b4', line_color: null,
  });
  const plot = figure(b, {
    title: 'Rows per table', xLabel: 'rows', xStart: 0, yFactors: names, height: Math.max(220, 40 + 36 * names.length),
    tooltips: [['table', '@table'], ['holds', '@holds'], ['rows', '@label']], renderers: [bars],
  });
  const tableData = source(b, { table: [...names].reverse(), holds: sorted.map((c) => c.holds).reverse(), rows: [...rows].reverse() });
  const table = dataTable(b, tableData, [{ field: 'table', title: 'Table' }, { field: 'holds', title: 'Holds' }, { field: 'rows', title: 'Rows', numeric: true }], Math.min(600, 40 + 28 * names.length));
  return b.item(b.bk('Column', { children: [heading, plot, table], sizing_mode: 'stretch_width' }), 'Overview');
}
