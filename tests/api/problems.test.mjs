// Import problems in Italian and English (issues 3 and 4): every code of src/import/problems.c has
// a sentence in both dictionaries of web/src/i18n.ts, every problem.* key names a code that
// exists, and every wording of the table is still written by some reader or writer in src/ (a
// reworded message would otherwise lose its code and fall back to English without notice).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './harness.mjs';

/** The C string literals of TEXT, adjacent ones joined, escapes read. */
function literals(text) {
  const out = [];
  const re = /"((?:[^"\\\n]|\\.)*)"(?:\s*"((?:[^"\\\n]|\\.)*)")*/g;
  for (const m of text.matchAll(re)) {
    const parts = [...m[0].matchAll(/"((?:[^"\\\n]|\\.)*)"/g)].map((p) => p[1]);
    out.push(parts.join('').replace(/\\(.)/g, '$1'));
  }
  return out;
}

const table = fs.readFileSync(path.join(ROOT, 'src', 'import', 'problems.c'), 'utf8');
const body = table.slice(table.indexOf('wordings[] = {'), table.indexOf('};', table.indexOf('wordings[] = {')));
const entries = [...body.matchAll(/\{\s*("[^"]+")\s*,\s*((?:"(?:[^"\\]|\\.)*"\s*)+)\}/g)]
  .map((m) => ({ code: JSON.parse(m[1]), text: literals(m[2]).join('') }));
const codes = new Set(entries.map((e) => e.code));

const i18n = fs.readFileSync(path.join(ROOT, 'web', 'src', 'i18n.ts'), 'utf8');
const itStart = i18n.indexOf('const it: Record<Key, string> = {');
const keysIn = (text) => new Set([...text.matchAll(/^\s*'problem\.([\w.]+)':/gm)].map((m) => m[1]));

describe('import problems: codes, wordings and translations', () => {
  it('reads the table', () => {
    assert.ok(entries.length >= 60, `only ${entries.length} wordings read from problems.c`);
    assert.ok(codes.has('csv.fields') && codes.has('json.cut_short'));
  });

  it('every code has an English and an Italian sentence, and every sentence a code', () => {
    for (const [name, keys] of [['en', keysIn(i18n.slice(0, itStart))], ['it', keysIn(i18n.slice(itStart))]]) {
      for (const code of codes) assert.ok(keys.has(code), `problem.${code} is missing from the ${name} dictionary`);
      for (const key of keys) assert.ok(codes.has(key), `problem.${key} (${name}) is not a code of problems.c`);
    }
  });

  it('the API description lists every code', () => {
    const yaml = fs.readFileSync(path.join(ROOT, 'docs', 'api', 'openapi.yaml'), 'utf8');
    const m = yaml.match(/ImportProblem:[\s\S]*?enum: \[([^\]]*)\]/);
    assert.ok(m, 'ImportProblem.code has an enum in docs/api/openapi.yaml');
    const listed = new Set(m[1].split(',').map((c) => c.trim()));
    assert.deepEqual([...listed].sort(), [...codes, 'import.other'].sort());
  });

  it('the sentences use only the values their wording has', () => {
    for (const e of entries) {
      const n = (e.text.match(/%/g) || []).length;
      for (const part of [i18n.slice(0, itStart), i18n.slice(itStart)]) {
        const line = part.match(new RegExp(`^\\s*'problem\\.${e.code.replace(/\./g, '\\.')}': '(.*)',$`, 'm'));
        for (const v of line[1].matchAll(/\{(\d+)\}/g)) {
          assert.ok(Number(v[1]) < n, `problem.${e.code} uses {${v[1]}} but "${e.text}" has ${n} value(s)`);
        }
      }
    }
  });

  it('every wording is still written somewhere in src/', () => {
    const sources = [];
    for (const dir of fs.readdirSync(path.join(ROOT, 'src'))) {
      for (const f of fs.readdirSync(path.join(ROOT, 'src', dir))) {
        if (f.endsWith('.c') && !(dir === 'import' && f === 'problems.c')) {
          sources.push(...literals(fs.readFileSync(path.join(ROOT, 'src', dir, f), 'utf8')));
        }
      }
    }
    const esc = (t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const CONV = /%[-0-9.]*(?:l|ll|z)?[sdu]/g;
    // a source literal as a pattern: each printf conversion stands for any text
    const formats = sources.filter((s) => s.replace(CONV, '').length >= 8 && s.replace(CONV, '') !== s)
      .map((s) => new RegExp(`^${s.split(CONV).map(esc).join('.+')}$`));
    for (const e of entries) {
      // % in a wording stands for a conversion of the source, or for a value the caller chose
      const re = new RegExp(`^${e.text.split('%').map(esc).join('(?:%[-0-9.]*(?:l|ll|z)?[sdu]|.+)')}$`);
      const filled = e.text.replace(/%/g, '42');
      assert.ok(sources.some((s) => re.test(s)) || formats.some((f) => f.test(filled)),
        `"${e.text}" (${e.code}) is not written by any file of src/ any more`);
    }
  });
});
