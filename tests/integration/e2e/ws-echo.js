// WebSocket client for the end-to-end tests: `node ws-echo.js URL COUNT [ORIGIN]` sends COUNT text messages through
// the forwarder and checks each echo; prints "echoed N" and exits 0, or prints the failure (e.g. "refused 403").
const WebSocket = require("ws");
const [url, countText, origin] = process.argv.slice(2);
const count = Number(countText);
const ws = new WebSocket(url, origin ? { origin } : {});
let received = 0;
ws.on("unexpected-response", (req, res) => { console.log("refused " + res.statusCode); process.exit(3); });
ws.on("error", (e) => { console.log("error " + e.message); process.exit(2); });
ws.on("open", () => { for (let i = 0; i < count; ++i) ws.send("message " + i); });
ws.on("message", (data) => {
  if (data.toString() !== "message " + received) { console.log("wrong echo at " + received + ": " + data); process.exit(4); }
  if (++received === count) { console.log("echoed " + received); ws.close(); }
});
ws.on("close", () => process.exit(received === count ? 0 : 5));
setTimeout(() => { console.log("timeout after " + received); process.exit(6); }, 60000);
