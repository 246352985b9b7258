#!/usr/bin/env node
import { main } from '../dist/cellpipe.js';

process.exitCode = await main(process.argv.slice(2));
