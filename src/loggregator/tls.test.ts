import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tlsFilesFromEnv } from './tls.js';

test('TLS file paths from the prom_scraper variables, then the daemon ones', () => {
  assert.equal(tlsFilesFromEnv({}), null);
  assert.deepEqual(
    tlsFilesFromEnv({
      LOGGREGATOR_AGENT_CA_FILE_PATH: 'ca',
      LOGGREGATOR_AGENT_CERT_FILE_PATH: 'c',
      LOGGREGATOR_AGENT_KEY_FILE_PATH: 'k',
      CA_CERT_PATH: 'x',
    }),
    { caFile: 'ca', certFile: 'c', keyFile: 'k' },
  );
  assert.deepEqual(tlsFilesFromEnv({ CA_CERT_PATH: 'ca2', CLIENT_CERT_PATH: 'c2', CLIENT_KEY_PATH: 'k2' }), {
    caFile: 'ca2',
    certFile: 'c2',
    keyFile: 'k2',
  });
  assert.throws(() => tlsFilesFromEnv({ CA_CERT_PATH: 'ca' }), {
    code: 'LOGGREGATOR_TLS',
    message: /LOGGREGATOR_AGENT_CERT_FILE_PATH or CLIENT_CERT_PATH/,
  });
});
