// An HTTP/2 TLS server for the HTTPS uplink's HTTP/2 test (https_uplink_test.cpp), on Node's
// own http2 module (no npm package). It answers the data endpoint 200 and counts what came:
// the TLS sessions (connections), the streams (requests) and the sequence ranges
// (Spindle-Seq) with their counts. GET /received answers that as JSON.
// Listens on 127.0.0.1 only. Usage: node h2_server.js PORT CERT KEY
'use strict';
const fs = require('fs');
const http2 = require('http2');

const [port, cert, key] = process.argv.slice(2);
const seen = { sessions: 0, streams: 0, versions: {}, ranges: [], observations: 0 };

const server = http2.createSecureServer({ cert: fs.readFileSync(cert), key: fs.readFileSync(key) });
server.on('session', () => { seen.sessions += 1; });
server.on('request', (req, res) => {
  if (req.method === 'GET' && req.url === '/received') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(seen));
    return;
  }
  seen.streams += 1;
  seen.versions[req.httpVersion] = (seen.versions[req.httpVersion] || 0) + 1;
  req.on('data', () => {});
  req.on('end', () => {
    const range = (req.headers['spindle-seq'] || '').split('-').map(Number);
    seen.ranges.push(range);
    seen.observations += Number(req.headers['spindle-count'] || 0);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{}');
  });
});
server.listen(Number(port), '127.0.0.1', () => { console.log('ready'); });
