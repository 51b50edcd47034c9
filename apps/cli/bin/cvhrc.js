#!/usr/bin/env node
// The installed entry point: a committed launcher, so that the bin link exists from install
// on; it runs the built CLI.
import '../dist/bin.js';
