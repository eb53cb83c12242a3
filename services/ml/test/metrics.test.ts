// Our metrics on scikit-learn's own predictions equal scikit-learn's metric values.
import { Matrix } from '../src/matrix.js';
import { accuracy, classificationReport, confusionMatrix, macroF1 } from '../src/metrics/classification.js';
import {
  meanAbsoluteError,
  meanSquaredError,
  r2Score,
  r2ScoreOrNaN,
  rootMeanSquaredError,
} from '../src/metrics/regression.js';
import { auc, averagePrecision, precisionRecallCurve, rocAucOvr, rocCurve } from '../src/metrics/curves.js';
import { modelFixture } from './support/fixtures.js';

const near = (a: readonly number[], b: readonly number[]) => {
  expect(a.length).toBe(b.length);
  a.forEach((v, i) => expect(v).toBeCloseTo(b[i], 10));
};

interface ClassReport {
  precision: number;
  recall: number;
  'f1-score': number;
  support: number;
}
interface Curve {
  fpr: number[];
  tpr: number[];
  thresholds: number[];
  auc: number;
}
interface PR {
  precision: number[];
  recall: number[];
  thresholds: number[];
  average_precision: number;
}

const classification = [
  ['iris', 'logistic_regression'],
  ['wine', 'gaussian_nb'],
  ['iris', 'knn_classifier'],
  ['wine', 'knn_classifier'],
] as const;

describe('metrics match scikit-learn', () => {
  it.each(classification)('%s / %s: accuracy, classification report and confusion matrices', (d, m) => {
    const fx = modelFixture(d, m);
    const met = fx.metrics as {
      accuracy: number;
      report: Record<string, ClassReport | number>;
      confusion: number[][];
      confusion_true: number[][];
    };
    const classes = fx.classes ?? [];
    expect(accuracy(fx.y_test, fx.test_pred)).toBeCloseTo(met.accuracy, 12);
    const rep = classificationReport(fx.y_test, fx.test_pred, classes.length);
    classes.forEach((c, k) => {
      const s = met.report[c] as ClassReport;
      near(
        [rep.perClass[k].precision, rep.perClass[k].recall, rep.perClass[k].f1, rep.perClass[k].support],
        [s.precision, s.recall, s['f1-score'], s.support],
      );
    });
    for (const [ours, key] of [
      [rep.macro, 'macro avg'],
      [rep.weighted, 'weighted avg'],
    ] as const) {
      const s = met.report[key] as ClassReport;
      near([ours.precision, ours.recall, ours.f1, ours.support], [s.precision, s.recall, s['f1-score'], s.support]);
    }
    expect(macroF1(fx.y_test, fx.test_pred, classes.length)).toBeCloseTo(
      (met.report['macro avg'] as ClassReport)['f1-score'],
      10,
    );
    expect(confusionMatrix(fx.y_test, fx.test_pred, classes.length).toRows()).toEqual(met.confusion);
    near(Array.from(confusionMatrix(fx.y_test, fx.test_pred, classes.length, 'true').data), met.confusion_true.flat());
  });

  it.each(classification)('%s / %s: ROC and precision-recall curves, their areas, one-vs-rest AUC', (d, m) => {
    const fx = modelFixture(d, m);
    const met = fx.metrics as { roc: Curve[]; pr: PR[]; roc_auc_ovr_macro?: number };
    const proba = fx.test_proba ?? [];
    const P = Matrix.fromRows(proba);
    (fx.classes ?? []).forEach((_, k) => {
      const pos = fx.y_test.map((c) => c === k);
      const r = rocCurve(pos, P.column(k));
      near(r.fpr, met.roc[k].fpr);
      near(r.tpr, met.roc[k].tpr);
      near(r.thresholds, met.roc[k].thresholds);
      expect(auc(r.fpr, r.tpr)).toBeCloseTo(met.roc[k].auc, 12);
      const pr = precisionRecallCurve(pos, P.column(k));
      near(pr.precision, met.pr[k].precision);
      near(pr.recall, met.pr[k].recall);
      near(pr.thresholds, met.pr[k].thresholds);
      expect(averagePrecision(pos, P.column(k))).toBeCloseTo(met.pr[k].average_precision, 12);
    });
    if (met.roc_auc_ovr_macro !== undefined)
      expect(rocAucOvr(fx.y_test, P).macro).toBeCloseTo(met.roc_auc_ovr_macro, 12);
  });

  it.each([
    ['boston', 'ridge'],
    ['auto-mpg', 'knn_regressor'],
    ['boston', 'linear_svr'],
  ] as const)('%s / %s: MSE, RMSE, MAE and R²', (d, m) => {
    const fx = modelFixture(d, m);
    const met = fx.metrics as { mse: number; rmse: number; mae: number; r2: number };
    expect(meanSquaredError(fx.y_test, fx.test_pred)).toBeCloseTo(met.mse, 10);
    expect(rootMeanSquaredError(fx.y_test, fx.test_pred)).toBeCloseTo(met.rmse, 10);
    expect(meanAbsoluteError(fx.y_test, fx.test_pred)).toBeCloseTo(met.mae, 10);
    expect(r2Score(fx.y_test, fx.test_pred)).toBeCloseTo(met.r2, 10);
  });

  it('refuses predictions of another length', () => {
    expect(() => accuracy([1, 2], [1])).toThrow(/2 values/);
  });
});

describe('macroF1 and r2ScoreOrNaN, the variants the live figures use', () => {
  it('averages F1 over the classes that occur among outcomes or predictions only, as scikit-learn without labels', () => {
    // Class 2 never occurs: the mean is over classes 0 and 1 (F1 2/3 each), not three.
    expect(macroF1([0, 0, 1], [0, 1, 1], 3)).toBeCloseTo(2 / 3, 15);
    expect(macroF1([0, 0, 1], [0, 1, 1], 2)).toBe(macroF1([0, 0, 1], [0, 1, 1], 3));
  });

  it('counts a code from `averaged` up against the other classes without averaging it', () => {
    // Code 2 is a label outside the model's classes: class 0 loses a true positive to it (F1 2/3), class 1 is right (1).
    expect(macroF1([0, 0, 1], [0, 2, 1], 2)).toBeCloseTo((2 / 3 + 1) / 2, 15);
    expect(macroF1([2, 2], [2, 2], 2)).toBe(0);
  });

  it('answers R² as r2Score does, but NaN when the outcomes are all the same', () => {
    expect(r2ScoreOrNaN([1, 2, 4], [1, 2, 3])).toBe(r2Score([1, 2, 4], [1, 2, 3]));
    expect(r2ScoreOrNaN([0.1, 0.1, 0.1], [0.1, 0.1, 0.1])).toBeNaN();
    expect(r2Score([0.1, 0.1, 0.1], [0.1, 0.1, 0.1])).toBe(1);
  });
});
