// The registry: fifteen models with the seed's sliders, whose default grids are the seed's numpy grids.
import { MODELS, defaultGrid, modelSpec } from '../src/registry.js';
import { expandGrid } from '../src/model-selection/param-grid.js';
import { modelFixture } from './support/fixtures.js';
import { datasetsFor } from './support/workload.js';

describe('model registry', () => {
  it('lists the seed’s fifteen models once each, with their tasks', () => {
    const ids = MODELS.map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(MODELS.filter((m) => m.task === 'classification')).toHaveLength(7);
    expect(MODELS.filter((m) => m.task === 'regression')).toHaveLength(8);
  });

  it.each(MODELS.filter((m) => !m.id.startsWith('gradient_boosting')).map((m) => m.id))(
    '%s: the default grid is the one scikit-learn searched (numpy’s arange values, same order)', (id) => {
      const fx = modelFixture(datasetsFor(modelSpec(id).task)[0], id);
      expect(expandGrid(defaultGrid(modelSpec(id)))).toEqual(fx.candidates.map((c) => c.params));
    });

  it('names an unknown model in its error, with the known ones', () => {
    expect(() => modelSpec('xgboost')).toThrow(/unknown model 'xgboost'.*logistic_regression/);
  });
});
