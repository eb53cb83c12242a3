import { datasetClaim, documentClaim, jobClaim, modelClaim, nameClaim } from '../src/document-claims.js';

const isName = (s: string) => /^[a-z0-9-]+$/.test(s);

describe('document claims', () => {
  it('are the same string whether web builds them from the proxied path or viz from its route', () => {
    expect(documentClaim('/documents/eda', { dataset: '12' }, isName)).toBe(datasetClaim('eda', 12));
    expect(documentClaim('/documents/results', { model: '5' }, isName)).toBe(modelClaim('results', 5));
    expect(documentClaim('/documents/monitoring', { name: 'churn', hours: '24' }, isName)).toBe(
      nameClaim('monitoring', 'churn'),
    );
    expect(documentClaim('/jobs/7/events', {}, isName)).toBe(jobClaim(7));
    // viz's Explain routes name their model as the results document does.
    expect(documentClaim('/documents/explain', { model: '3' }, isName)).toBe(modelClaim('explain', 3));
    expect(documentClaim('/documents/explain-row', { model: '3', row: '2' }, isName)).toBe(
      modelClaim('explain-row', 3),
    );
    expect([datasetClaim('eda', 12), modelClaim('results', 5), nameClaim('monitoring', 'churn'), jobClaim(7)]).toEqual([
      'eda:12',
      'results:model:5',
      'monitoring:name:churn',
      'job:7',
    ]);
  });

  it('name no dataset, model or name that is not well formed, and no path that is not a document', () => {
    expect(documentClaim('/documents/overview', {}, isName)).toBe('overview');
    expect(documentClaim('/documents/eda', { dataset: '1 OR 1' }, isName)).toBe('eda');
    expect(documentClaim('/documents/monitoring', { name: 'Not A Name' }, isName)).toBe('monitoring');
    expect(documentClaim('/etc/passwd', {}, isName)).toBeNull();
    expect(documentClaim('/documents/../x', {}, isName)).toBeNull();
  });

  it('give viz an empty part when the request lacks the value, so no token matches it', () => {
    expect(datasetClaim('eda', undefined)).toBe('eda:');
    expect(jobClaim(undefined)).toBe('job:');
  });
});
