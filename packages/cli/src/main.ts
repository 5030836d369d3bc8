#!/usr/bin/env node
console.log("seedrun");
