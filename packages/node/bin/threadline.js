#!/usr/bin/env node
// Committed so npm links the bin at install time, before `dist/` is built (npm skips a missing target).
import '../dist/cli.js';
