#!/usr/bin/env node
// The `seedrun` command: a committed entry point (npm links it before `dist/` is built), running the built CLI.
import "../dist/main.js";
