#!/usr/bin/env node
// The parse reference of bench/inbox/run.sh: the `whatsapp-chat-parser` npm
// package (a devDependency) reading the same export piazza reads.
//
//   node bench/inbox/reference.mjs FILE
//
// Prints one line: "messages seconds" where seconds is the wall-clock time
// from reading the file to the parsed array (the package takes the whole text
// as one string; piazza's figure includes reading the file too). Days first,
// as the Italian file is written; no attachment parsing, the package's default.
import { readFileSync } from 'node:fs';
import { parseString } from 'whatsapp-chat-parser';

const file = process.argv[2];
if (!file) {
    console.error('usage: node bench/inbox/reference.mjs FILE');
    process.exit(2);
}
const t0 = process.hrtime.bigint();
const text = readFileSync(file, 'utf8');
const messages = parseString(text, { daysFirst: true });
const t1 = process.hrtime.bigint();
console.log(`${messages.length} ${(Number(t1 - t0) / 1e9).toFixed(3)}`);
