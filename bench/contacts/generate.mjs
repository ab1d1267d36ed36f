#!/usr/bin/env node
// Writes a vCard file of N generated Italian contacts for bench/contacts/run.sh.
//
//   node bench/contacts/generate.mjs N OUT.vcf [SEED]
//
// Every contact is a person with exactly three identities (so N cards hold 3N
// identities): a private e-mail and a mobile number, plus one of a work
// e-mail, an office number or a LinkedIn profile. Names are common Italian
// given and family names, some with accents and apostrophes (Niccolò,
// D'Angelo, Cantù); about three in four people work at one of N/50
// organizations with a title; one in five has a category. Phones are written
// in the ways Italians write them ("333 1234567", "+39 333 123 4567",
// "0039 3331234567"), e-mails in mixed case now and then. Identities are
// unique across the file, so importing it creates N contacts. The output is
// the same for the same N and SEED. It also writes OUT.probes.json: values
// the benchmark searches for (a name, an e-mail, a phone, an organization)
// that are known to be in the file.
import { createWriteStream, writeFileSync } from 'node:fs';

const n = Number(process.argv[2]);
const out = process.argv[3];
let seed = Number(process.argv[4] || 20261123) >>> 0;
if (!Number.isInteger(n) || n < 1 || !out) {
    console.error('usage: node bench/contacts/generate.mjs N OUT.vcf [SEED]');
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
const int = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));

const given = `Marco Giuseppe Giovanni Antonio Francesco Luca Alessandro Andrea Matteo Lorenzo
Stefano Roberto Paolo Davide Simone Federico Riccardo Gabriele Tommaso Niccolò Nicolò Emanuele
Daniele Fabio Massimo Claudio Mario Luigi Salvatore Vincenzo Pietro Carlo Enrico Filippo Michele
Alberto Giorgio Franco Sergio Bruno Maria Anna Giulia Francesca Chiara Sara Laura Valentina
Alessandra Elena Martina Silvia Federica Paola Roberta Elisa Giorgia Alice Aurora Beatrice Sofia
Ludovica Noemi Camilla Gaia Irene Marta Cristina Barbara Monica Daniela Angela Lucia Rosa Teresa
Caterina Ilaria Serena Veronica Simona Eleonora Greta Arianna Ginevra Benedetta Rebecca Letizia
Agnese Nicoletta Raffaella Antonella Rosaria Graziella Mattia Jacopo Iacopo Zoe Noè`.split(/\s+/);

const family = `Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci Marino Greco Bruno Gallo
Conti De_Luca Mancini Costa Giordano Rizzo Lombardi Moretti Barbieri Fontana Santoro Mariani
Rinaldi Caruso Ferrara Galli Martini Leone Longo Gentile Martinelli Vitale Lombardo Serra Coppola
De_Santis D'Angelo Marchetti Parisi Villa Conte Ferraro Ferri Fabbri Bianco Marini Grasso
Valentini Messina Sala De_Angelis Gatti Pellegrini Palumbo Sanna Farina Rizzi Monti Cattaneo
Morelli Amato Silvestri Mazza Testa Grassi Pellegrino Carbone Giuliani Benedetti Barone Rossetti
Caputo Montanari Guerra Palmieri Bernardi Martino Fiore De_Rosa Ferretti Bellini Basile Riva
Donati Piras Vitali Battaglia Sartori Neri Costantini Milani Pagano Ruggiero Sorrentino D'Amico
Orlando Negri Zappalà Cantù Pirrò Mosè Lo_Iacono Dell'Acqua Sant'Anna Nicolò Fanfulla Bertolè
Giannò Cutrì Mazzù Lucà Mangiapane Esposti Lo_Russo La_Rosa Di_Stefano Di_Pietro Di_Giacomo
Ferraris Brambilla Pozzi Colombi Bonetti Ghezzi Zanetti Zanella Bortolotti Visentin Pavan
Toffoli Furlan Cristofoli Murru Melis Deiana Pinna Cossu Tedesco Guidi Bassi Baldini Giorgi
Monaco Bonomi Sassi Fumagalli Crippa Mauri Radaelli Galbiati Re Oddo Bova Scuderi Musumeci`
    .split(/\s+/)
    .map((s) => s.replace(/_/g, ' '));

const orgStems = `Acciaierie Alimentari Arredamenti Assicurazioni Autotrasporti Biotech Calzaturificio
Cantine Caseificio Ceramiche Consulting Costruzioni Distribuzione Edilizia Elettronica Energia
Farmaceutica Ferramenta Gelateria Grafiche Impianti Informatica Laboratori Logistica Meccanica
Mobilificio Oleificio Ottica Pastificio Plastica Serramenti Servizi Sistemi Software Studio Tessile
Trasporti Turismo Vetreria Viaggi`.split(/\s+/);
const places = `Torino Milano Genova Venezia Bologna Firenze Roma Napoli Bari Palermo Cagliari Trento
Bergamo Brescia Verona Padova Parma Modena Ancona Perugia Pescara Lecce Catania Messina Udine
Treviso Vicenza Como Monza Novara Forlì Cesena Rimini Ferrara Ravenna Siena Lucca Pisa Livorno
Taranto Salerno Sassari Bolzano Aosta Cuneo Asti Brianza Canavese Valtellina Langhe`.split(/\s+/);
const forms = ['S.r.l.', 'S.p.A.', 'srl', 'SpA', 'S.n.c.', '& C.', 'S.a.s.', 'Società Cooperativa'];
const titles = `Amministratore delegato|Direttore commerciale|Direttrice acquisti|Responsabile
marketing|Responsabile IT|Ufficio acquisti|Agente di commercio|Titolare|Socio|Consulente|Buyer|
Key account manager|Project manager|Responsabile produzione|Responsabile qualità|Segreteria|
Export manager|Ingegnere|Architetto|Commercialista|Avvocato|Responsabile logistica|CFO|CTO`
    .replace(/\n/g, ' ')
    .split('|')
    .map((s) => s.trim());
const tags = ['Fiera Milano 2025', 'Cliente storico', 'Newsletter', 'Evento Bologna', 'VIP', 'Partner',
    'Fornitore', 'Stampa', 'Da richiamare', 'Lead web'];
const mailHosts = ['gmail.com', 'libero.it', 'hotmail.it', 'yahoo.it', 'outlook.it', 'tiscali.it',
    'virgilio.it', 'alice.it', 'fastwebnet.it', 'icloud.com', 'tim.it', 'email.it'];
const mobilePrefixes = ['320', '324', '327', '328', '329', '330', '331', '333', '334', '335', '336',
    '338', '339', '340', '342', '345', '346', '347', '348', '349', '350', '351', '366', '368', '380',
    '388', '389', '391', '392', '393'];
const landPrefixes = ['02', '06', '011', '010', '041', '051', '055', '081', '080', '091', '070',
    '0461', '035', '030', '045', '049', '0521', '059', '071', '075'];

const ascii = (s) =>
    s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, '');

const nOrgs = Math.max(1, Math.floor(n / 50));
const orgs = [];
const orgNames = new Set();
while (orgs.length < nOrgs) {
    const name = `${pick(orgStems)} ${pick(places)}${rand() < 0.3 ? ' ' + pick(family) : ''} ${pick(forms)}`;
    const key = ascii(name);
    if (orgNames.has(key)) continue;
    orgNames.add(key);
    orgs.push({ name, domain: `${ascii(name).slice(0, 24)}.it` });
}

const used = new Set(); // normalized identities already in the file
function unique(make) {
    for (;;) {
        const [key, value] = make();
        if (!used.has(key)) {
            used.add(key);
            return value;
        }
    }
}
function email(first, last, host) {
    return unique(() => {
        const sep = pick(['.', '.', '_', '']);
        const num = rand() < 0.5 ? String(int(1, 99)) : rand() < 0.5 ? String(int(1950, 2005)) : '';
        let local = `${ascii(first)}${sep}${ascii(last)}${num}`;
        if (rand() < 0.15) local = ascii(first)[0] + ascii(last) + int(1, 999);
        let v = `${local}@${host}`;
        if (rand() < 0.05) v = v[0].toUpperCase() + v.slice(1);
        return [v.toLowerCase(), v];
    });
}
function mobile() {
    return unique(() => {
        const p = pick(mobilePrefixes);
        const rest = String(int(0, 9999999)).padStart(7, '0');
        const e164 = `+39${p}${rest}`;
        const r = rand();
        let v;
        if (r < 0.35) v = `${p} ${rest}`;
        else if (r < 0.6) v = `+39 ${p} ${rest.slice(0, 3)} ${rest.slice(3)}`;
        else if (r < 0.75) v = `0039 ${p}${rest}`;
        else if (r < 0.9) v = `+39${p}${rest}`;
        else v = `${p}.${rest.slice(0, 3)}.${rest.slice(3)}`;
        return [e164, v];
    });
}
function landline() {
    return unique(() => {
        const p = pick(landPrefixes);
        const rest = String(int(100000, 9999999)).padStart(p.length > 3 ? 6 : 7, '0');
        const v = rand() < 0.5 ? `${p} ${rest}` : `+39 ${p} ${rest}`;
        return [`+39${p}${rest}`, v];
    });
}
function linkedin(first, last) {
    return unique(() => {
        const slug = `${ascii(first)}-${ascii(last)}-${int(1, 99999).toString(16)}`;
        return [slug, `https://www.linkedin.com/in/${slug}/`];
    });
}

// vCard text escaping (3.0/4.0): backslash, comma, semicolon, newline.
const esc = (s) => s.replace(/\\/g, '\\\\').replace(/,/g, '\\,').replace(/;/g, '\\;');

const probes = { names: [], emails: [], phones: [], orgs: [], accented: [] };
const ws = createWriteStream(out);
let buf = '';
for (let i = 0; i < n; i++) {
    const first = pick(given);
    const last = pick(family);
    const v4 = rand() < 0.3;
    const lines = ['BEGIN:VCARD', v4 ? 'VERSION:4.0' : 'VERSION:3.0'];
    lines.push(`FN:${esc(first + ' ' + last)}`);
    lines.push(`N:${esc(last)};${esc(first)};;;`);
    const org = rand() < 0.75 ? pick(orgs) : null;
    if (org) {
        lines.push(`ORG:${esc(org.name)}`);
        lines.push(`TITLE:${esc(pick(titles))}`);
    }
    const mail = email(first, last, pick(mailHosts));
    const phone = mobile();
    lines.push(v4 ? `EMAIL;TYPE=home:${mail}` : `EMAIL;TYPE=INTERNET,HOME:${mail}`);
    lines.push(v4 ? `TEL;TYPE=cell:${phone}` : `TEL;TYPE=CELL:${phone}`);
    const third = rand();
    if (third < 0.5) {
        const work = email(first, last, org ? org.domain : pick(mailHosts));
        lines.push(v4 ? `EMAIL;TYPE=work:${work}` : `EMAIL;TYPE=INTERNET,WORK:${work}`);
    } else if (third < 0.8) {
        lines.push(v4 ? `TEL;TYPE=work:${landline()}` : `TEL;TYPE=WORK,VOICE:${landline()}`);
    } else {
        lines.push(`URL:${linkedin(first, last)}`);
    }
    if (rand() < 0.2) lines.push(`CATEGORIES:${esc(pick(tags))}`);
    lines.push('END:VCARD');
    buf += lines.join('\r\n') + '\r\n';
    if (i % 997 === 0 && probes.names.length < 20) {
        probes.names.push(`${first} ${last}`);
        probes.emails.push(mail);
        probes.phones.push(phone);
        if (org) probes.orgs.push(org.name);
        if (/[^\x00-\x7f]/.test(first + last)) probes.accented.push(`${first} ${last}`);
    }
    if (buf.length > 1 << 20) {
        ws.write(buf);
        buf = '';
    }
}
ws.end(buf);
ws.on('finish', () => {
    writeFileSync(`${out}.probes.json`, JSON.stringify(probes, null, 1) + '\n');
});
