import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  accuracy, balancedAccuracy, chanceLevel, isMetricName, meanScore, metricKind, midRanks, pearsonR, r2Score, rocAuc, score,
} from '../../../src/core/mvpa/metrics.ts';

const golden = JSON.parse(readFileSync(new URL('../../fixtures/golden/stats.json', import.meta.url), 'utf8')) as {
  metrics: { name: string; y: number[]; decision: number[]; accuracy: number; balanced_accuracy: number; roc_auc: number | null }[];
  regression: { name: string; y: number[]; pred: number[]; r2: number; pearson_r: number | null }[];
};

describe('classification metrics = scikit-learn (golden)', () => {
  for (const c of golden.metrics) {
    it(c.name, () => {
      expect(accuracy(c.y, c.decision)).toBeCloseTo(c.accuracy, 14);
      expect(balancedAccuracy(c.y, c.decision)).toBeCloseTo(c.balanced_accuracy, 14);
      if (c.roc_auc === null) {
        expect(() => rocAuc(c.y, c.decision)).toThrow(expect.objectContaining({ code: 'DECODE_ONE_CLASS_TEST_FOLD' }));
      } else {
        expect(rocAuc(c.y, c.decision)).toBeCloseTo(c.roc_auc, 14);
        expect(score('roc_auc', c.y, c.decision)).toBe(rocAuc(c.y, c.decision));
      }
    });
  }
  it('decision 0 predicts class 0', () => {
    expect(accuracy([0, 1], [0, 0])).toBe(0.5);
    expect(balancedAccuracy([0, 0, 1, 1], [0, -1, 1, 0])).toBe(0.75);
  });
  it('all tied decision values give AUC 0.5', () => {
    expect(rocAuc([0, 1, 0, 1, 1], [2, 2, 2, 2, 2])).toBe(0.5);
  });
});

describe('regression metrics (golden)', () => {
  for (const c of golden.regression) {
    it(c.name, () => {
      expect(r2Score(c.y, c.pred)).toBeCloseTo(c.r2, 13);
      if (c.pearson_r === null) expect(pearsonR(c.y, c.pred)).toBe(0);
      else expect(pearsonR(c.y, c.pred)).toBeCloseTo(c.pearson_r, 13);
    });
  }
  it('a constant prediction has r = 0 (never NaN)', () => {
    expect(pearsonR([1, 2, 3], [4, 4, 4])).toBe(0);
  });
});

describe('metric helpers', () => {
  it('names, kinds, chance', () => {
    expect(isMetricName('balanced_accuracy')).toBe(true);
    expect(isMetricName('f1')).toBe(false);
    expect(metricKind('roc_auc')).toBe('classification');
    expect(metricKind('pearson_r')).toBe('regression');
    expect(chanceLevel('balanced_accuracy')).toBe(0.5);
    expect(chanceLevel('r2')).toBe(0);
    expect(meanScore([0.5, 0.75, 1])).toBe(0.75);
  });
  it('midRanks as scipy.stats.rankdata', () => {
    expect([...midRanks([3, 1, 4, 1, 5])]).toEqual([3, 1.5, 4, 1.5, 5]);
  });
});
