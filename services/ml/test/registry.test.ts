// The registry: the seed's fifteen models with its sliders, whose default grids are the seed's numpy
// grids, and histogram gradient boosting (issue 21) for each task.
import { MODELS, defaultGrid, modelSpec } from '../src/registry.js';
import { expandGrid } from '../src/model-selection/param-grid.js';
import { modelFixture } from './support/fixtures.js';
import { datasetsFor } from './support/workload.js';

describe('model registry', () => {
  it('lists the seed’s fifteen models and histogram boosting once each, with their tasks', () => {
    const ids = MODELS.map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(MODELS.filter((m) => m.task === 'classification')).toHaveLength(8);
    expect(MODELS.filter((m) => m.task === 'regression')).toHaveLength(9);
    expect(modelSpec('hist_gradient_boosting_classifier').task).toBe('classification');
    expect(modelSpec('hist_gradient_boosting_regressor').task).toBe('regression');
  });

  it("histogram boosting searches boosting's learning rates (0.1…1.0) and 15, 31, 47, 63 leaves", () => {
    const grid = defaultGrid(modelSpec('hist_gradient_boosting_classifier'));
    expect(grid.learning_rate).toEqual(defaultGrid(modelSpec('gradient_boosting_classifier')).learning_rate);
    expect(grid.max_leaf_nodes).toEqual([15, 31, 47, 63]);
  });

  // the seed's models only: their grids are the ones the seed's scikit-learn searched
  it.each(MODELS.filter((m) => !m.id.startsWith('gradient_boosting') && !m.id.startsWith('hist_')).map((m) => m.id))(
    '%s: the default grid is the one scikit-learn searched (numpy’s arange values, same order)',
    (id) => {
      const fx = modelFixture(datasetsFor(modelSpec(id).task)[0], id);
      expect(expandGrid(defaultGrid(modelSpec(id)))).toEqual(fx.candidates.map((c) => c.params));
    },
  );

  it('names an unknown model in its error, with the known ones', () => {
    expect(() => modelSpec('xgboost')).toThrow(/unknown model 'xgboost'.*logistic_regression/);
  });
});
