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
//
//   node bench/inbox/generate.mjs --chats K DIR [SEED]
//
// writes K small one-to-one chats instead ("WhatsApp Chat with NAME.txt", 5
// to 40 messages each between "Negozio" and a customer), so that the inbox
// list has many conversations to sort, as a company's inbox does.
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';

if (process.argv[2] === '--chats') {
    const k = Number(process.argv[3]);
    const dir = process.argv[4];
    let s = Number(process.argv[5] || 20261124) >>> 0;
    const r = () => {
        s = (s + 0x6d2b79f5) >>> 0;
        let t = s;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    if (!Number.isInteger(k) || k < 1 || !dir) {
        console.error('usage: node bench/inbox/generate.mjs --chats K DIR [SEED]');
        process.exit(2);
    }
    mkdirSync(dir, { recursive: true });
    const lines = ['Buongiorno, avete ancora la taglia 42?', 'Sì, arriva domani', 'Perfetto grazie',
        'Quanto costa la spedizione?', 'È gratuita sopra i 50 euro', 'Vi mando la foto',
        '<Media omessi>', 'Ok, passo in negozio sabato', 'A che ora chiudete?', 'Alle 19:30'];
    const two = (v) => (v < 10 ? '0' : '') + v;
    for (let c = 0; c < k; c++) {
        const name = `Cliente ${String(c + 1).padStart(5, '0')}`;
        let t = Date.UTC(2024, 0, 1, 9, 0) / 1000 + Math.floor(r() * 300 * 86400);
        let text = '';
        const n = 5 + Math.floor(r() * 36);
        for (let i = 0; i < n; i++) {
            t += 60 + Math.floor(r() * 7200);
            const d = new Date(t * 1000);
            const who = r() < 0.5 ? name : 'Negozio';
            text += `${two(d.getUTCDate())}/${two(d.getUTCMonth() + 1)}/${two(d.getUTCFullYear() % 100)}, ` +
                `${two(d.getUTCHours())}:${two(d.getUTCMinutes())} - ${who}: ${lines[Math.floor(r() * lines.length)]}\n`;
        }
        writeFileSync(`${dir}/WhatsApp Chat with ${name}.txt`, text);
    }
    process.exit(0);
}

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
