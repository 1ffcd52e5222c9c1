import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatFromContentType, negotiateFormat } from './content-type.js';

test('format from Content-Type, falling back to text like Prometheus', () => {
  assert.equal(formatFromContentType('application/openmetrics-text; version=1.0.0; charset=utf-8'), 'openmetrics');
  assert.equal(formatFromContentType('application/openmetrics-text;version=0.0.1'), 'openmetrics');
  assert.equal(formatFromContentType('text/plain; version=0.0.4; charset=utf-8; escaping=underscores'), 'text');
  assert.equal(formatFromContentType('TEXT/PLAIN'), 'text');
  assert.equal(formatFromContentType(''), 'text');
  assert.equal(formatFromContentType(undefined), 'text');
  assert.equal(formatFromContentType('application/json'), 'text');
  assert.throws(() => formatFromContentType('application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily'), {
    code: 'EXPOSITION_UNSUPPORTED',
  });
});

test('Accept negotiation: q-values, wildcards, versions', () => {
  assert.equal(negotiateFormat(undefined), 'text');
  assert.equal(negotiateFormat('*/*'), 'text');
  assert.equal(negotiateFormat('application/openmetrics-text; version=1.0.0'), 'openmetrics');
  assert.equal(negotiateFormat('application/openmetrics-text;version=0.0.1,text/plain;version=0.0.4;q=0.5,*/*;q=0.1'), 'openmetrics');
  assert.equal(negotiateFormat('application/openmetrics-text;version=1.0.0;q=0.2,text/plain;version=0.0.4;q=0.9'), 'text');
  assert.equal(negotiateFormat('application/openmetrics-text;version=2.0.0'), 'text');
  assert.equal(negotiateFormat('application/openmetrics-text;q=0,text/plain'), 'text');
  assert.equal(negotiateFormat('application/json'), 'text');
  assert.equal(negotiateFormat('text/plain;q=0.5,application/openmetrics-text;q=0.5'), 'text');
});
