// http_node.js — Node's side of `make bench`'s HTTP rows (bench/bench_http.sh).
// Node's own http module, keep-alive (its default): GET /hello answers
// "Hello, World!\n" as text/plain. Prints its port, stops after argv[2] seconds.
'use strict';
const http = require('http');
const seconds = Number(process.argv[2] || 30);
const server = http.createServer((req, res) => {
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': 14 });
  res.end('Hello, World!\n');
});
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => {
  console.log(server.address().port);
  setTimeout(() => process.exit(0), seconds * 1000).unref();
});
setTimeout(() => process.exit(0), seconds * 1000);
