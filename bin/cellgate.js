#!/usr/bin/env node
// Entry point of the `cellgate` command; runs the compiled CLI (no TypeScript loader at run time).
import '../dist/cli/main.js';
