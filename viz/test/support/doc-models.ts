// Reads a built BokehJS document in tests: every model by id, references resolved on request.
export interface ModelRep {
  type: 'object';
  name: string;
  id: string;
  attributes: Record<string, unknown>;
}

export class DocModels {
  readonly all: ModelRep[] = [];
  private readonly byId = new Map<string, ModelRep>();

  constructor(item: { doc: { roots: unknown[] } }) {
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') {
        const r = v as Partial<ModelRep>;
        if (r.type === 'object' && typeof r.name === 'string' && typeof r.id === 'string') {
          this.all.push(r as ModelRep);
          this.byId.set(r.id, r as ModelRep);
        }
        Object.values(v).forEach(walk);
      }
    };
    walk(item.doc.roots);
  }

  named(name: string): ModelRep[] {
    return this.all.filter((m) => m.name === name);
  }

  /** The model an attribute holds, written in full or as {id}. */
  ref(v: unknown): ModelRep {
    const id = (v as { id?: unknown } | null)?.id;
    const m = typeof id === 'string' ? this.byId.get(id) : undefined;
    if (!m) throw new Error(`not a model reference: ${JSON.stringify(v)}`);
    return m;
  }

  /** A ColumnDataSource's columns (plain arrays; the tests' sources are small). */
  data(source: unknown): Record<string, unknown[]> {
    const d = this.ref(source).attributes.data as
      Record<string, unknown> | { type: 'map'; entries: [string, unknown][] };
    return (
      'type' in d && d.type === 'map' ? Object.fromEntries((d as { entries: [string, unknown][] }).entries) : d
    ) as Record<string, unknown[]>;
  }

  /** The plot whose title text is `title`. */
  plot(title: string): ModelRep {
    const p = this.named('Plot').find((m) => this.ref(m.attributes.title).attributes.text === title);
    if (!p) throw new Error(`no plot titled "${title}"`);
    return p;
  }

  /** The glyphs (with their sources) a plot draws. */
  glyphs(plot: ModelRep): { glyph: ModelRep; data: Record<string, unknown[]> }[] {
    return (plot.attributes.renderers as unknown[]).map((r) => {
      const gr = this.ref(r);
      return { glyph: this.ref(gr.attributes.glyph), data: this.data(gr.attributes.data_source) };
    });
  }
}

/** Sums `count` by `key` over a stacked-bar source. */
export function totals(data: Record<string, unknown[]>, key: string, countField = 'count'): Record<string, number> {
  const out: Record<string, number> = {};
  data[key].forEach((k, i) => {
    out[String(k)] = (out[String(k)] ?? 0) + Number(data[countField][i]);
  });
  return out;
}
