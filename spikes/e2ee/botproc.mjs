// The bot side as its own process (so the driver can SIGKILL it): AS transactions in, crypto, answers out.
import { createServer } from "node:http";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { CryptoBot } from "./bot.mjs";
const [hsUrl, asToken, asPort, storeFile, keyFile] = process.argv.slice(2);
// The store key: 32 random bytes in a file only its owner can read, made on first start.
if (!existsSync(keyFile)) writeFileSync(keyFile, randomBytes(32), { mode: 0o600, flag: "wx" });
const storeKey = readFileSync(keyFile);
if (storeKey.length !== 32 || (statSync(keyFile).mode & 0o077) !== 0) throw new Error(`${keyFile} must hold 32 bytes and be readable by its owner only (0600)`);
const BOT = "@carenet:localhost";
const log = (...a) => console.log(new Date().toISOString().slice(11, 23), `[bot ${process.pid}]`, ...a);
const bot = new CryptoBot({ hsUrl, asToken, userId: BOT, deviceId: "CARENET", storeFile, storeKey, log });
let ready;
let chain = new Promise((r) => (ready = r));
const persistTimes = [];
const origPersist = bot.persist.bind(bot);
bot.persist = async () => { const t = Date.now(); await origPersist(); persistTimes.push(Date.now() - t); };
const server = createServer((req, res) => {
  let data = "";
  req.on("data", (c) => (data += c));
  req.on("end", () => {
    if (!req.url.includes("/transactions/")) { res.writeHead(200); res.end("{}"); return; }
    const body = JSON.parse(data || "{}");
    const job = chain.then(async () => {
      await bot.onTransaction(body);
      for (const ev of body.events ?? []) {
        if (ev.type === "m.room.member" && ev.state_key === BOT && ev.content.membership === "invite") {
          await bot.req("POST", `/_matrix/client/v3/join/${encodeURIComponent(ev.room_id)}`, {}, false);
        } else if (ev.type === "m.room.encrypted" && ev.sender !== BOT) {
          const clear = await bot.decrypt(ev);
          log("decrypted", JSON.stringify(clear.content.body));
          await bot.sendEncrypted(ev.room_id, [ev.sender], { msgtype: "m.notice", body: `answer to ${clear.content.body}` }, `ans-${ev.event_id.slice(1, 20)}`);
        }
      }
    });
    chain = job.catch(() => undefined);
    // Acknowledged only once the crypto store is on disk: a crash before re-delivers the transaction.
    job.then(() => { res.writeHead(200); res.end("{}"); }, (e) => { log("txn failed", e.message); res.writeHead(500); res.end("{}"); });
  });
});
server.listen(Number(asPort), "127.0.0.1", async () => {
  const t = Date.now();
  await bot.start();
  log("ready in", Date.now() - t, "ms; store", statSync(storeFile).size, "bytes");
  ready();
  setInterval(() => {
    const st = bot.sqlite?.stats;
    if (st && st.ms.length) log("sqlite write-through: commits", st.commits, "rows", st.rows, "ms per commit", JSON.stringify(st.ms.splice(0)));
  }, 1000).unref();
  setInterval(() => { if (!bot.writeThrough && persistTimes.length) log("persist ms", JSON.stringify(persistTimes.splice(0)), "store bytes", statSync(storeFile).size); }, 1000).unref();
});
