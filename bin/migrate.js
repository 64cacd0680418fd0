#!/usr/bin/env node
// The `migrate` (and `phasegate`) executable: a thin shell over the built CLI.
import { main } from '../dist/cli/main.js';

process.exitCode = await main(process.argv);
