#!/usr/bin/env node
// Prepares the query shapes bench/contacts/run.sh measures, against a running
// piazza that holds the imported benchmark contacts:
//
//   node bench/contacts/shapes.mjs BASE_URL TOKEN PROBES.json OUTDIR
//
// For each shape it writes OUTDIR/NAME.paths (one request path a line; the
// load generator goes round them) and OUTDIR/NAME.body (the answer to the
// first path, which the reference server then serves as a static file). It
// checks every path once: each must answer 200, the shapes that look for
// something known must find it and the no-hit shape must find nothing, so
// the figures are about real answers. Deep pages follow `next` cursors from
// the first page, 200 rows at a time, as a client scrolling would. Prints one
// line per shape: name, paths, rows of the first answer.
import { writeFileSync, readFileSync } from 'node:fs';
import http from 'node:http';

const [base, token, probesFile, outdir] = process.argv.slice(2);
if (!outdir) {
    console.error('usage: node bench/contacts/shapes.mjs BASE_URL TOKEN PROBES.json OUTDIR');
    process.exit(2);
}
const probes = JSON.parse(readFileSync(probesFile, 'utf8'));
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function get(path) {
    return new Promise((resolve, reject) => {
        const req = http.get(base + path, { agent, headers: { authorization: `Bearer ${token}` } },
            (res) => {
                const chunks = [];
                res.on('data', (c) => chunks.push(c));
                res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks) }));
            });
        req.setTimeout(30000, () => req.destroy(new Error(`timeout on ${path}`)));
        req.on('error', reject);
    });
}

const list = (params) => '/api/v1/contacts?' + new URLSearchParams(params).toString();
// Drops the accents an Italian typing fast leaves out: "Niccolò" -> "niccolo".
const plain = (s) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
const digits = (s) => s.replace(/\D/g, '');

async function deepPaths() {
    // Scroll through the whole list once, 200 rows a page; keep cursors at ten depths.
    const all = [];
    let cursor = '';
    for (let page = 1; page <= 5000; page++) {
        const res = await get(list(cursor ? { limit: 200, cursor } : { limit: 200 }));
        if (res.status !== 200) throw new Error(`paging answered ${res.status}`);
        const { next } = JSON.parse(res.body);
        if (!next) break;
        cursor = next;
        all.push(next);
    }
    if (all.length === 0) throw new Error('the list is too short for deep pages');
    const picks = new Set();
    for (let i = 1; i <= 10; i++) picks.add(all[Math.min(all.length - 1, Math.floor((all.length * i) / 10.5))]);
    return [...picks].map((c) => list({ limit: 50, cursor: c }));
}

const shapes = {
    first_page: [list({ limit: 50 })],
    deep_page: await deepPaths(),
    newest_first: [list({ limit: 50, sort: 'newest' })],
    filter_stage: ['customer', 'prospect', 'former'].map((stage) => list({ limit: 50, stage })),
    filter_tag: ['VIP', 'Newsletter', 'Stampa'].map((tag) => list({ limit: 50, tag })),
    filter_org_kind: [list({ limit: 50, kind: 'organization' })],
    search_name_prefix: probes.names.map((n) => {
        const [first, last] = plain(n).split(' ');
        return list({ limit: 50, q: `${first.slice(0, 4)} ${last.slice(0, 3)}` });
    }),
    search_family_name: probes.names.map((n) => list({ limit: 50, q: plain(n).split(' ').pop() })),
    search_email: probes.emails.map((e) => list({ limit: 50, q: e })),
    search_phone: probes.phones.map((p) => list({ limit: 50, q: digits(p).slice(-7) })),
    search_organization: probes.orgs.map((o) => list({ limit: 50, q: o.split(' ').slice(0, 2).join(' ') })),
    search_accents: probes.accented.concat(['Niccolò', 'Zappalà', 'Cantù']).map((n) =>
        list({ limit: 50, q: plain(n) })),
    search_no_hit: ['zzqxj', 'kwyjibo', 'qqqzzz@nowhere.example', '999 0000000'].map((q) =>
        list({ limit: 50, q })),
};
const mustFind = new Set(['first_page', 'deep_page', 'newest_first', 'filter_stage', 'filter_tag',
    'filter_org_kind', 'search_name_prefix', 'search_family_name', 'search_email', 'search_phone',
    'search_organization', 'search_accents']);

for (const [name, paths] of Object.entries(shapes)) {
    let firstRows = -1;
    for (const path of paths) {
        const res = await get(path);
        if (res.status !== 200) throw new Error(`${path} answered ${res.status}: ${res.body}`);
        const rows = JSON.parse(res.body).items.length;
        if (mustFind.has(name) && rows === 0) throw new Error(`${name}: ${path} found nothing`);
        if (!mustFind.has(name) && rows !== 0) throw new Error(`${name}: ${path} found ${rows} rows`);
        if (firstRows < 0) {
            firstRows = rows;
            writeFileSync(`${outdir}/${name}.body`, res.body);
        }
    }
    writeFileSync(`${outdir}/${name}.paths`, paths.join('\n') + '\n');
    console.log(`${name} ${paths.length} ${firstRows}`);
}
agent.destroy();
