#!/usr/bin/env node
// Writes a generated Italian WhatsApp group chat export (Android layout, day
// first) of N messages for bench/inbox/run.sh.
//
//   node bench/inbox/generate.mjs N OUT.txt [SEED]
//
// The file is what an Italian phone exports: `dd/mm/yy, HH:MM - Author: text`
// lines, the end-to-end notice first, twelve participants (names with
// accents, one written as a phone number), about one message in twelve
// spread over several lines (a continuation line may itself start with
// something date-like), `<Media omessi>` and `IMG-... (file allegato)` media
// notices, deleted messages ("Questo messaggio è stato eliminato"), people
// added and leaving (system lines), texts with `: ` and emoji, and sometimes
// the same text twice in the same minute. Times move forward by 0 to 4
// minutes over several years, through the Europe/Rome summer-time changes.
// The output is the same for the same N and SEED. It also writes
// OUT.probes.json: words the benchmark searches for (common, rare, accented)
// and how many messages hold each.
import { createWriteStream, writeFileSync } from 'node:fs';

const n = Number(process.argv[2]);
const out = process.argv[3];
let seed = Number(process.argv[4] || 20261123) >>> 0;
if (!Number.isInteger(n) || n < 1 || !out) {
    console.error('usage: node bench/inbox/generate.mjs N OUT.txt [SEED]');
    process.exit(2);
}

// mulberry32: small, fast, deterministic.
function rand() {
    seed = (seed + 0x6d2b79f5) >>> 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (a) => a[Math.floor(rand() * a.length)];

const people = ['Giulia Rossi', 'Marco Bianchi', 'Niccolò Esposito', 'Chiara Ferrari',
    'Francesca Romano', 'Luca Colombo', 'Sara Ricci', 'Zoë Marino', 'Davide Greco',
    'Elena Cantù', "Andrea D'Angelo", '+39 333 123 4567'];
const words = `ciao buongiorno grazie allora domani oggi stasera ordine consegna prezzo
preventivo fattura cliente negozio magazzino spedizione corriere pacco scarpe scarpa borsa
giacca taglia colore modello sconto offerta pagamento bonifico carta contanti appuntamento
riunione telefono chiamata messaggio email sito catalogo prodotto prodotti disponibile
esaurito arrivato arriva arrivano partito settimana lunedì martedì mercoledì giovedì venerdì
sabato domenica mattina pomeriggio sera ufficio casa città più già perché così però
caffè è sì no forse certo va bene ok perfetto benissimo ottimo subito dopo prima ancora
sempre mai tutto tutti niente qualcosa quando dove come quanto quanti chi cosa fatto fare
faccio facciamo mandare mando mandato inviato ricevuto controllo controllare verifico vediamo
sentiamo chiamo richiamo scrivo scrivimi dimmi fammi sapere ti aggiorno novità problema
risolto reso cambio rimborso garanzia`.split(/\s+/);
const emoji = ['👍', '😂', '🙏', '❤️', '😊', '👌', '🎉', '😅'];
const RARE = 'ornitorinco'; // in about one message in 50,000
const counts = { ciao: 0, perché: 0, scarpa: 0, [RARE]: 0 };

function sentence() {
    const len = 2 + Math.floor(rand() * 12);
    const w = [];
    for (let i = 0; i < len; i++) w.push(pick(words));
    if (rand() < 1 / 50000) w.splice(Math.floor(rand() * w.length), 0, RARE);
    let s = w.join(' ');
    s = s[0].toUpperCase() + s.slice(1);
    const r = rand();
    if (r < 0.1) s += ' ' + pick(emoji);
    else if (r < 0.15) s = 'Nota: ' + s; // ": " inside the text
    else if (r < 0.4) s += '?';
    return s;
}
function count(text) {
    const lower = text.toLowerCase();
    for (const k of Object.keys(counts))
        if (new RegExp(`(^|[^\\p{L}])${k}($|[^\\p{L}])`, 'u').test(lower)) counts[k]++;
}

const two = (v) => (v < 10 ? '0' : '') + v;
// Local wall-clock time as the phone shows it; a Date in UTC is only a calendar here.
let t = Date.UTC(2021, 0, 4, 8, 30) / 1000;
function stamp() {
    const d = new Date(t * 1000);
    return `${two(d.getUTCDate())}/${two(d.getUTCMonth() + 1)}/${two(d.getUTCFullYear() % 100)}, ` +
        `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}`;
}

const ws = createWriteStream(out);
let buf = `${stamp()} - I messaggi e le chiamate sono crittografati end-to-end. Nessuno al di fuori di questa chat, nemmeno WhatsApp, può leggerli o ascoltarli.\n`;
let lines = 1, media = 0, multiline = 0, system = 0, deleted = 0, written = 0;
let last = '';
async function flush() {
    if (!ws.write(buf)) await new Promise((r) => ws.once('drain', r));
    buf = '';
}
for (let i = 0; i < n; i++) {
    t += Math.floor(rand() * 240);
    const who = pick(people);
    const r = rand();
    let text;
    if (r < 0.001) {
        const other = pick(people);
        buf += rand() < 0.5 ? `${stamp()} - ${who} ha aggiunto ${other}\n` : `${stamp()} - ${who} è uscito\n`;
        lines++;
        system++;
        written++;
        continue;
    } else if (r < 0.04) {
        text = '<Media omessi>';
        media++;
    } else if (r < 0.05) {
        const d = new Date(t * 1000);
        text = `IMG-${d.getUTCFullYear()}${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}-WA${String(i % 10000).padStart(4, '0')}.jpg (file allegato)`;
        media++;
    } else if (r < 0.06) {
        text = 'Questo messaggio è stato eliminato';
        deleted++;
    } else if (r < 0.065 && last) {
        text = last; // the same text again, maybe in the same minute
    } else if (r < 0.145) {
        const k = 2 + Math.floor(rand() * 3);
        const parts = [];
        for (let j = 0; j < k; j++) parts.push(sentence());
        if (rand() < 0.2) parts.splice(1, 0, `${stamp().slice(0, 8)} ritiro in negozio`);
        if (rand() < 0.2) parts.splice(1, 0, '');
        text = parts.join('\n');
        multiline++;
        lines += parts.length - 1;
    } else {
        text = sentence();
    }
    last = text;
    count(text);
    buf += `${stamp()} - ${who}: ${text}\n`;
    lines++;
    written++;
    if (buf.length > 1 << 20) await flush();
}
await flush();
ws.end();
await new Promise((r) => ws.on('finish', r));
writeFileSync(`${out}.probes.json`, JSON.stringify({
    messages: written + 1, // the end-to-end notice too
    lines, media, multiline, system: system + 1, deleted, participants: people.length,
    words: counts,
}, null, 1) + '\n');
