import { parseExposition, sampleToNdjson, writeOpenMetrics } from '../exposition/index.js';
import type { Command } from './command.js';

/** A small exposition as a CF component serves it; `npm start` parses and re-serializes it. */
const SAMPLE = `# HELP gorouter_total_requests Total requests routed.
# TYPE gorouter_total_requests counter
gorouter_total_requests{component="route-emitter",deployment="cf"} 10423
# HELP http_request_duration_seconds Request latency.
# TYPE http_request_duration_seconds histogram
http_request_duration_seconds_bucket{le="0.1"} 812
http_request_duration_seconds_bucket{le="0.5"} 990
http_request_duration_seconds_bucket{le="+Inf"} 1000
http_request_duration_seconds_sum 87.25
http_request_duration_seconds_count 1000
# TYPE process_resident_memory_bytes gauge
process_resident_memory_bytes 4.2467328e+07
`;

export const demoCommand: Command = async (io) => {
  const families = parseExposition(Buffer.from(SAMPLE), { format: 'text' });
  io.stdout.write('cf-prom demo: parses a built-in text 0.0.4 exposition and shows what the parser and writer do.\n\n');
  io.stdout.write('Samples as `cf-prom parse` prints them:\n');
  for (const f of families) for (const s of f.samples) io.stdout.write(`${sampleToNdjson(s, f.type)}\n`);
  io.stdout.write('\nThe same families as OpenMetrics (`cf-prom format --to openmetrics`):\n');
  io.stdout.write(writeOpenMetrics(families));
  return 0;
};
