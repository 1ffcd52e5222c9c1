#!/usr/bin/env -S node --no-memory-reducer
// The `promfetcher` bin: the same as `cf-prom fetcher`, with the original's flags (-c/--config, --version).
import { runBin } from './bin.js';
import { fetcherCommand } from './fetcher-command.js';

runBin('promfetcher', fetcherCommand);
