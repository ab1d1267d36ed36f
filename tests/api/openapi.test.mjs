// OpenAPI honesty: docs/api/openapi.yaml describes exactly the routes the binary
// serves (`piazza routes`), no more and no fewer.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, runCli, describeCli, CONTRACT_ROUTES } from './harness.mjs';

const SPEC = path.join(ROOT, 'docs', 'api', 'openapi.yaml');
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

async function loadSpec() {
  assert.ok(fs.existsSync(SPEC), `${SPEC} does not exist`);
  let YAML;
  try {
    YAML = await import('yaml');
  } catch (e) {
    assert.fail(`the npm package 'yaml' is not installed (run npm install in ${ROOT}): ${e.message}`);
  }
  const parse = YAML.parse || YAML.default?.parse;
  const doc = parse(fs.readFileSync(SPEC, 'utf8'));
  assert.ok(doc && typeof doc === 'object', 'openapi.yaml is not a mapping');
  return doc;
}

function specOperations(doc) {
  const ops = new Set();
  for (const [p, item] of Object.entries(doc.paths || {})) {
    for (const m of Object.keys(item)) {
      if (METHODS.includes(m)) ops.add(`${m.toUpperCase()} ${p}`);
    }
  }
  return ops;
}

function routeOperations() {
  const r = runCli(['routes']);
  assert.equal(r.status, 0, describeCli(r));
  const ops = new Set();
  for (const line of r.stdout.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length >= 2 && f[0]) ops.add(`${f[0]} ${f[1]}`);
  }
  return ops;
}

describe('OpenAPI document', { timeout: 30_000 }, () => {
  it('is an OpenAPI 3 document with a version and paths', async () => {
    const doc = await loadSpec();
    assert.match(String(doc.openapi), /^3\.\d+(\.\d+)?$/, `openapi: ${doc.openapi}`);
    assert.ok(doc.info && doc.info.title && doc.info.version, 'info.title and info.version');
    assert.ok(doc.paths && Object.keys(doc.paths).length > 0, 'paths');
  });

  it('the set of (method, path) equals `piazza routes`', async () => {
    const doc = await loadSpec();
    const spec = specOperations(doc);
    const routes = routeOperations();
    const onlySpec = [...spec].filter((o) => !routes.has(o)).sort();
    const onlyRoutes = [...routes].filter((o) => !spec.has(o)).sort();
    assert.deepEqual({ onlyInOpenapi: onlySpec, onlyInRoutes: onlyRoutes }, { onlyInOpenapi: [], onlyInRoutes: [] },
      'openapi.yaml and `piazza routes` disagree');
  });

  it('each operation\'s x-piazza-role, x-piazza-body-limit and x-piazza-state-changing match `piazza routes`', async () => {
    const doc = await loadSpec();
    const r = runCli(['routes']);
    assert.equal(r.status, 0, describeCli(r));
    const wrong = [];
    for (const line of r.stdout.split('\n')) {
      const [method, p, role, limit, state] = line.trim().split(/\s+/);
      if (!method) continue;
      const op = doc.paths?.[p]?.[method.toLowerCase()];
      if (!op) continue; // reported by the test above
      const want = { role, limit: Number(limit), state: state === 'STATE' };
      const got = { role: op['x-piazza-role'], limit: op['x-piazza-body-limit'], state: op['x-piazza-state-changing'] };
      if (got.role !== want.role || got.limit !== want.limit || Boolean(got.state) !== want.state) {
        wrong.push(`${method} ${p}: openapi ${JSON.stringify(got)}, routes ${JSON.stringify(want)}`);
      }
    }
    assert.deepEqual(wrong, [], 'openapi.yaml x-piazza-* values differ from the routes table');
  });

  it('documents every route of the contract, each with responses', async () => {
    const doc = await loadSpec();
    for (const [method, p] of CONTRACT_ROUTES) {
      const op = doc.paths?.[p]?.[method.toLowerCase()];
      assert.ok(op, `${method} ${p} is not in openapi.yaml`);
      assert.ok(op.responses && Object.keys(op.responses).length > 0, `${method} ${p} has no responses`);
    }
  });
});
