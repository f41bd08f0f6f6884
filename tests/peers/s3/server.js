// The S3 test peer: s3rver (a fake S3 in Node) over TLS on 127.0.0.1 for Spindle's upload tests
// and benchmark. Installed by scripts/setup (build/test-peers/s3); started and stopped by PID.
//
//   node server.js --port P --dir DIR --cert PEM --key PEM [--bucket NAME]...
//
// Prints "ready https://127.0.0.1:P" on stdout when it listens, then one line per request as
// it arrives: "request <METHOD> <path>?<query>" (the tests count UploadPart requests by it).
//
// s3rver 3.7.1 checks the access key of a SigV4 request but not its signature, and never checks
// Content-MD5. This wrapper does both, as S3 does, before and after s3rver:
//   - SigV4 (Authorization header and presigned query, AWS's documented algorithm, written
//     here from the specification independently of Spindle's signer): an unknown key answers
//     403 InvalidAccessKeyId, a wrong signature 403 SignatureDoesNotMatch.
//   - Content-MD5: s3rver's ETag is the MD5 of what it stored; a mismatch turns the answer
//     into 400 BadDigest.
// The one key pair is s3rver's: access key "S3RVER", secret "S3RVER". Region: any (the scope's
// region is taken from the request).
"use strict";
const crypto = require("crypto");
const fs = require("fs");
const https = require("https");
const S3rver = require("s3rver");

const ACCESS_KEY = "S3RVER";
const SECRET = "S3RVER";

function parseArgs(argv) {
  const out = { port: 0, dir: "", cert: "", key: "", buckets: [] };
  for (let i = 2; i < argv.length; i += 2) {
    const [key, value] = [argv[i], argv[i + 1]];
    if (value === undefined) throw new Error(`${key} needs a value`);
    if (key === "--port") out.port = parseInt(value, 10);
    else if (key === "--dir") out.dir = value;
    else if (key === "--cert") out.cert = value;
    else if (key === "--key") out.key = value;
    else if (key === "--bucket") out.buckets.push(value);
    else throw new Error(`unknown option ${key}`);
  }
  if (!out.port || !out.dir || !out.cert || !out.key) {
    throw new Error("--port, --dir, --cert and --key are required");
  }
  return out;
}

// RFC 3986 unreserved characters stay, everything else is %XX (upper case), as SigV4 wants.
function uriEncode(text) {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) =>
    "%" + c.charCodeAt(0).toString(16).toUpperCase());
}

function canonicalQuery(search, skip) {
  const pairs = [];
  for (const [k, v] of new URLSearchParams(search)) {
    if (k !== skip) pairs.push([uriEncode(k), uriEncode(v)]);
  }
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : 1));
  return pairs.map(([k, v]) => `${k}=${v}`).join("&");
}

function hmac(key, text) {
  return crypto.createHmac("sha256", key).update(text, "utf8").digest();
}

// What a SigV4 signature over this request must be; null when the request is not SigV4.
function checkSigV4(req) {
  const url = new URL(req.url, "https://peer");
  const auth = req.headers["authorization"];
  const q = url.searchParams;
  let credential, signedHeaders, signature, amzDate, payloadHash, query;
  if (auth && auth.startsWith("AWS4-HMAC-SHA256 ")) {
    const fields = {};
    for (const part of auth.slice(17).split(",")) {
      const at = part.indexOf("=");
      fields[part.slice(0, at).trim()] = part.slice(at + 1).trim();
    }
    [credential, signedHeaders, signature] = [fields.Credential, fields.SignedHeaders, fields.Signature];
    amzDate = req.headers["x-amz-date"];
    payloadHash = req.headers["x-amz-content-sha256"];
    query = canonicalQuery(url.search, null);
  } else if (q.get("X-Amz-Algorithm") === "AWS4-HMAC-SHA256") {
    [credential, signedHeaders, signature] =
      [q.get("X-Amz-Credential"), q.get("X-Amz-SignedHeaders"), q.get("X-Amz-Signature")];
    amzDate = q.get("X-Amz-Date");
    payloadHash = "UNSIGNED-PAYLOAD";
    query = canonicalQuery(url.search, "X-Amz-Signature");
  } else {
    return null;
  }
  if (!payloadHash) {
    return { status: 400, code: "InvalidRequest",
             message: "Missing required header for this request: x-amz-content-sha256" };
  }
  if (!credential || !signedHeaders || !signature || !amzDate) {
    return { status: 400, code: "AuthorizationHeaderMalformed",
             message: "The authorization header is malformed: Credential, SignedHeaders, " +
                      "Signature and X-Amz-Date are required." };
  }
  const [accessKey, date, region, service, terminator] = credential.split("/");
  if (accessKey !== ACCESS_KEY) {
    return { code: "InvalidAccessKeyId",
             message: "The AWS Access Key Id you provided does not exist in our records." };
  }
  const path = url.pathname.split("/").map((s) => uriEncode(decodeURIComponent(s))).join("/");
  const names = signedHeaders.split(";");
  const headers = names.map((n) => `${n}:${String(req.headers[n] ?? "").trim().replace(/\s+/g, " ")}\n`);
  const canonical = [req.method, path, query, headers.join(""), signedHeaders, payloadHash].join("\n");
  const scope = [date, region, service, terminator].join("/");
  const toSign = ["AWS4-HMAC-SHA256", amzDate, scope,
                  crypto.createHash("sha256").update(canonical, "utf8").digest("hex")].join("\n");
  let key = hmac("AWS4" + SECRET, date);
  for (const part of [region, service, terminator]) key = hmac(key, part);
  const expected = crypto.createHmac("sha256", key).update(toSign, "utf8").digest("hex");
  if (expected !== signature) {
    return { code: "SignatureDoesNotMatch",
             message: "The request signature we calculated does not match the signature you " +
                      "provided. Check your key and signing method." };
  }
  return { ok: true };
}

function sendError(res, status, code, message) {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code>` +
               `<Message>${message}</Message></Error>`;
  res.writeHead(status, { "content-type": "application/xml", "content-length": Buffer.byteLength(body) });
  res.end(body);
}

// Turns s3rver's answer into BadDigest when its ETag (the MD5 of what it stored) is not the
// Content-MD5 the client sent.
function checkContentMd5(req, res) {
  const md5 = req.headers["content-md5"];
  if (!md5) return;
  const sent = Buffer.from(md5, "base64").toString("hex");
  const end = res.end.bind(res);
  res.end = (...args) => {
    const etag = String(res.getHeader("etag") ?? "").replace(/"/g, "");
    if (res.statusCode === 200 && etag && etag !== sent && !res.headersSent) {
      res.removeHeader("etag");
      const body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>BadDigest</Code>" +
                   "<Message>The Content-MD5 you specified did not match what we received." +
                   "</Message></Error>";
      res.statusCode = 400;
      res.setHeader("content-type", "application/xml");
      res.setHeader("content-length", Buffer.byteLength(body));
      return end(body);
    }
    return end(...args);
  };
}

async function main() {
  const args = parseArgs(process.argv);
  fs.mkdirSync(args.dir, { recursive: true });
  const s3 = new S3rver({
    directory: args.dir,
    silent: true,
    vhostBuckets: false,
    configureBuckets: args.buckets.map((name) => ({ name })),
  });
  await s3.configureBuckets();
  const handler = s3.callback();
  const server = https.createServer(
    { key: fs.readFileSync(args.key), cert: fs.readFileSync(args.cert) }, (req, res) => {
      process.stdout.write(`request ${req.method} ${req.url}\n`);
      const verdict = checkSigV4(req);
      if (verdict && !verdict.ok) {
        req.resume();
        sendError(res, verdict.status || 403, verdict.code, verdict.message);
        return;
      }
      checkContentMd5(req, res);
      handler(req, res);
    });
  server.keepAliveTimeout = 30000;
  server.requestTimeout = 0;
  server.listen(args.port, "127.0.0.1", () => {
    process.stdout.write(`ready https://127.0.0.1:${args.port}\n`);
  });
  process.on("SIGTERM", () => process.exit(0));
}

main().catch((err) => {
  process.stderr.write(`${err.stack || err}\n`);
  process.exit(1);
});
