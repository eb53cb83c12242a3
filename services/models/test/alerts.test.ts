import { alertPayload, breaks, describeRule, validateAlertRule, type Alert } from '../src/alerts.js';

describe('alert rules', () => {
  it('validates a form as posted: strings turned into numbers, an empty webhook into none, the box into enabled', () => {
    expect(
      validateAlertRule(
        { metric: 'f1', comparison: 'below', threshold: ' 0.75 ', window: '200', webhookUrl: '', enabled: 'true' },
        'classification',
      ),
    ).toEqual({ metric: 'f1', comparison: 'below', threshold: 0.75, window: 200, webhookUrl: null, enabled: true });
    expect(
      validateAlertRule(
        {
          metric: 'mae',
          comparison: 'above',
          threshold: 3,
          window: 50,
          webhookUrl: 'https://hooks.slack.com/services/T/B/x',
          enabled: 'false',
        },
        'regression',
      ),
    ).toEqual({
      metric: 'mae',
      comparison: 'above',
      threshold: 3,
      window: 50,
      webhookUrl: 'https://hooks.slack.com/services/T/B/x',
      enabled: false,
    });
  });

  it('names the field of each refusal', () => {
    const field = (raw: Record<string, unknown>, task: 'classification' | 'regression' = 'classification') => {
      try {
        validateAlertRule(raw, task);
        return null;
      } catch (err) {
        return (err as { field?: string }).field;
      }
    };
    const ok = { metric: 'volume', comparison: 'below', threshold: '1', window: '10' };
    expect(field(ok)).toBeNull();
    expect(field({ ...ok, metric: undefined })).toBe('metric');
    expect(field({ ...ok, metric: 'accuracy' }, 'regression')).toBe('metric');
    expect(field({ ...ok, comparison: 'equals' })).toBe('comparison');
    expect(field({ ...ok, threshold: '' })).toBe('threshold');
    expect(field({ ...ok, metric: 'error_rate', threshold: '1.5' })).toBe('threshold');
    expect(field({ ...ok, window: '10081' })).toBe('window');
    expect(field({ ...ok, webhookUrl: 'javascript:alert(1)' })).toBe('webhookUrl');
  });

  it('fires strictly above or below the threshold', () => {
    expect(breaks({ comparison: 'below', threshold: 0.8 }, 0.79)).toBe(true);
    expect(breaks({ comparison: 'below', threshold: 0.8 }, 0.8)).toBe(false);
    expect(breaks({ comparison: 'above', threshold: 100 }, 100.5)).toBe(true);
  });

  it('posts Slack-compatible text with the structured fields', () => {
    const a: Alert = {
      id: 7,
      ruleId: 3,
      name: 'churn',
      metric: 'p99_latency',
      comparison: 'above',
      threshold: 250,
      window: 15,
      value: 312.456,
      firedAt: new Date('2026-01-02T03:04:05Z'),
      resolvedAt: null,
      resolvedValue: null,
      resolvedReason: null,
    };
    expect(describeRule(a)).toBe('p99 latency (ms) above 250 over the last 15 minutes');
    const fired = alertPayload(a, 'fired', 'https://ml.example.org/published/churn/monitor');
    expect(fired.text).toBe(
      ':rotating_light: Alert on "churn": p99 latency (ms) is 312.5 (rule: p99 latency (ms) above 250 over the last 15 minutes) https://ml.example.org/published/churn/monitor',
    );
    expect(fired).toMatchObject({
      status: 'firing',
      alert: {
        id: 7,
        ruleId: 3,
        metric: 'p99_latency',
        windowUnit: 'minutes',
        value: 312.456,
        firedAt: '2026-01-02T03:04:05.000Z',
      },
    });
    const resolved = alertPayload(
      { ...a, resolvedAt: new Date('2026-01-02T03:10:00Z'), resolvedValue: 120 },
      'resolved',
      null,
    );
    expect(resolved.text).toBe(
      ':white_check_mark: Resolved on "churn": p99 latency (ms) is 120 (rule: p99 latency (ms) above 250 over the last 15 minutes)',
    );
    expect(resolved).toMatchObject({
      status: 'resolved',
      alert: { resolvedValue: 120, resolvedAt: '2026-01-02T03:10:00.000Z' },
    });
  });
});
