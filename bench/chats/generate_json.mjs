// Writes a large generated Messenger message_N.json or X direct-messages.js
// to stdout, for measuring the streaming readers' peak memory:
//
//   node bench/chats/generate_json.mjs messenger 1000000 > message_1.json
//   node bench/chats/generate_json.mjs x 1000000 > direct-messages.js
//
// Messenger: one conversation, newest first, every string mojibake as
// Facebook writes it. X: conversations of 1,000 messages, newest first.
import { writeSync } from "node:fs";

const [format, countArg] = process.argv.slice(2);
const count = Number(countArg);
if (!["messenger", "x"].includes(format) || !(count > 0)) {
  process.stderr.write("usage: generate_json.mjs messenger|x COUNT\n");
  process.exit(2);
}

const phrases = [
  "Buongiorno, è arrivato il preventivo per la fiera?",
  "Sì, gliel'ho mandato ieri: può confermare entro venerdì?",
  "Perché il prezzo è cambiato rispetto all'anno scorso?",
  "Le spedisco il campione lunedì, così vede la qualità 🙂",
  "Grazie mille, ci sentiamo dopo la riunione.",
];
// Facebook's mojibake: each byte of the UTF-8 written as \u00XX.
const mojibake = (s) =>
  [...Buffer.from(s, "utf8")]
    .map((b) => (b < 0x80 ? JSON.stringify(String.fromCharCode(b)).slice(1, -1) : `\\u00${b.toString(16).padStart(2, "0")}`))
    .join("");
const moji = phrases.map(mojibake);

let chunk = [];
const flush = (force) => {
  if (force || chunk.length > 4096) {
    writeSync(1, chunk.join(""));
    chunk = [];
  }
};
const t0 = 1700000000000;

if (format === "messenger") {
  chunk.push(
    '{\n  "participants": [\n    {"name": "Giulia Bianchi"},\n    {"name": "Marco Rossi"}\n  ],\n  "messages": [\n',
  );
  for (let k = count - 1; k >= 0; k--) {
    const who = k % 2 ? "Marco Rossi" : "Giulia Bianchi";
    chunk.push(
      `    {\n      "sender_name": "${who}",\n      "timestamp_ms": ${t0 + k * 1000},\n      "content": "${moji[k % moji.length]} (${k})",\n      "is_geoblocked_for_viewer": false\n    }${k ? "," : ""}\n`,
    );
    flush(false);
  }
  chunk.push('  ],\n  "title": "Giulia Bianchi",\n  "is_still_participant": true,\n  "thread_path": "inbox/giuliabianchi_123"\n}\n');
} else {
  chunk.push("window.YTD.direct_messages.part0 = [\n");
  const per = 1000;
  const convs = Math.ceil(count / per);
  for (let c = 0; c < convs; c++) {
    const other = 2000 + c;
    const n = Math.min(per, count - c * per);
    chunk.push(`  {\n    "dmConversation" : {\n      "conversationId" : "1111-${other}",\n      "messages" : [\n`);
    for (let k = n - 1; k >= 0; k--) {
      const mine = k % 2 === 1;
      const id = c * per + k;
      const at = new Date(t0 + id * 1000).toISOString();
      chunk.push(
        `        {\n          "messageCreate" : {\n            "recipientId" : "${mine ? other : 1111}",\n            "reactions" : [ ],\n            "urls" : [ ],\n            "text" : ${JSON.stringify(`${phrases[id % phrases.length]} (${id})`)},\n            "mediaUrls" : [ ],\n            "senderId" : "${mine ? 1111 : other}",\n            "id" : "${100000000 + id}",\n            "createdAt" : "${at}"\n          }\n        }${k ? "," : ""}\n`,
      );
      flush(false);
    }
    chunk.push(`      ]\n    }\n  }${c + 1 < convs ? "," : ""}\n`);
  }
  chunk.push("]\n");
}
flush(true);
