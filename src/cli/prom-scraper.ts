#!/usr/bin/env -S node --no-memory-reducer
// The `prom-scraper` bin: `cf-prom scraper` under the released daemon's name.
import { runBin } from './bin.js';
import { scraperCommand } from './scraper-command.js';

runBin('prom-scraper', scraperCommand);
