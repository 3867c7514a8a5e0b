#!/usr/bin/env node
// Records the HTTP requests that Directly's own Node client sends for the Messaging API.
//
// Upstream under test (installed from the npm registry, never vendored here):
//   npm package  directly-api@1.1.2  (tarball sha1 5aa257e1c3b09967cb8dd7e50e81b79d9461d82b)
//   repository   directly/directly-api-node-client
//   files        src/services/api/MessagingApi.ts   (the 17 REST wrappers; runs as dist/services/api/MessagingApi.js)
//                src/services/api/Request.ts        (axios instance: base URL, Authorization, Content-Type, User-Agent)
//                src/Directly-Api.ts                (the public `directlyApi` facade, which calls the wrappers)
//   commit       unknown: the registry metadata carries no gitHead and no snapshot of the
//                repository was reachable, so the "commit" field below is null.
//
// Usage (this script is ours; it only drives the installed package):
//   mkdir -p /tmp/d && cd /tmp/d && npm install --ignore-scripts directly-api@1.1.2
//   node conformance/tools/upstream/directly_api_requests.mjs /tmp/d/node_modules/directly-api \
//     > conformance/vectors/directly/directly-api-1.1.2.json
// The package directory may also be given as DIRECTLY_API_DIR, or found through NODE_PATH.
//
// A loopback HTTP server (127.0.0.1, port 0) records every request and answers with JSON
// shaped the way the client reads it, so that each promise settles. Nothing leaves the host.

import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";

const GENERATOR = "conformance/tools/upstream/directly_api_requests.mjs";
const EXPECTED_VERSION = "1.1.2";
const TOKEN = "test-token";
const UNIVERSAL_TOKEN = "test-universal-token";
const CALL_TIMEOUT_MS = 5000;

// axios 0.18 honours http_proxy/HTTP_PROXY and ignores NO_PROXY: keep loopback traffic direct.
for (const k of ["http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY"]) delete process.env[k];

// ---------------------------------------------------------------- locate the package
function resolvePackageDir() {
  const given = process.argv[2] || process.env.DIRECTLY_API_DIR;
  const candidates = [];
  if (given) {
    const abs = path.resolve(given);
    candidates.push(abs, path.join(abs, "node_modules", "directly-api"));
  }
  for (const dir of candidates) {
    const pj = path.join(dir, "package.json");
    if (fs.existsSync(pj) && JSON.parse(fs.readFileSync(pj, "utf8")).name === "directly-api") return dir;
  }
  if (given) throw new Error(`directly-api not found at ${given}`);
  // Fallback: plain CommonJS resolution (honours NODE_PATH).
  const req = createRequire(path.join(process.cwd(), "noop.js"));
  return path.dirname(req.resolve("directly-api/package.json"));
}

const pkgDir = resolvePackageDir();
const pkgJson = JSON.parse(fs.readFileSync(path.join(pkgDir, "package.json"), "utf8"));
if (pkgJson.version !== EXPECTED_VERSION) {
  throw new Error(`expected directly-api@${EXPECTED_VERSION}, found ${pkgJson.version} in ${pkgDir}`);
}
const requireFromPkg = createRequire(path.join(pkgDir, "package.json"));

// ---------------------------------------------------------------- fixtures served back
const Q_UUID = "5b0e4c1a-7d2f-4e8a-9c41-2f6d8e0b1a37";
const R_UUID = "c2a9f3e4-1b6d-4f70-8e25-9d3a4b5c6e71";
const M_UUID = "8f1d2e3c-4b5a-4c69-a7d8-e9f0a1b2c3d4";
const RESOLVE_MSG_UUID = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
const AA_UUID = "6e7f8a9b-0c1d-4e2f-8a3b-4c5d6e7f8a9b";
const STAMP = "2024-05-01T12:00:00Z";

const expert = { uuid: "e1e2e3e4-0000-4000-8000-000000000001", type: "USER", name: "Sam Expert",
  avatarUrl: "https://example.invalid/a.png", isOriginalPoster: false, isExpert: true };
const poster = { uuid: "a1b2c3d4-0000-4000-8000-000000000002", type: "USER", name: "Jane Doe",
  avatarUrl: "https://example.invalid/b.png", isOriginalPoster: true, isExpert: false };
const message = (uuid, type, body, id) => ({ id, uuid, type, dateCreated: STAMP, lastUpdated: STAMP,
  author: expert, body, isViewedByUser: false, externalIds: [] });
const response = { uuid: R_UUID, type: "EXPERT", dateCreated: STAMP, lastUpdated: STAMP, author: expert,
  messages: [message(M_UUID, "MESSAGE", "Try resetting the router.", 10),
             message(RESOLVE_MSG_UUID, "MARK_AS_RESOLVED_MESSAGE", "Did this solve it?", 11)],
  isAccepted: false, rating: null, isViewedByUser: false };
const question = { uuid: Q_UUID, type: "ONE_TO_ONE", dateCreated: STAMP, lastUpdated: STAMP,
  expirationDate: "2024-05-08T12:00:00Z", externalIds: [{ id: "ticket-1042", system: UNIVERSAL_TOKEN }],
  languages: ["en"], questionCategory: "billing", companies: ["acme"], metadata: {},
  conversation: { subject: "Router keeps rebooting", text: "My router reboots every hour.", author: poster,
    messages: [], responses: [response], unreadMessageCount: 1 },
  state: { status: "UNRESOLVED", numResponses: 1, isClosed: false, dateClosed: null,
    isInteractionAllowed: true, rerouteStatus: {} },
  ratingSystem: { name: "THUMBS", order: "ASC", values: ["THUMBS_DOWN", "THUMBS_UP"] } };
const meta = { correlationId: "00000000-0000-4000-8000-00000000c0de" };

// Route table: [method, path regexp, status, body]. Paths include the /v1 prefix the client adds.
const routes = [
  ["POST", /^\/v1\/automaticAnswers$/, 200, { data: { predictedClass: "billing.refund", confidence: 0.93,
    content: { body: "Refunds take 5-7 days.", author: { uuid: expert.uuid, name: expert.name }, uuid: AA_UUID } }, meta }],
  ["POST", /^\/v1\/automaticAnswers\/[^/]+\/feedback$/, 200, { data: { uuid: AA_UUID, id: 7, type: "AUTORESPONSE",
    dateCreated: STAMP, lastUpdated: STAMP, isAccepted: true, rating: null, isViewedByUser: true, quickReply: "ACCEPTED" }, meta }],
  // The client reads `questions[0]` from the top level of this answer (QuestionService, UpdateRouterService).
  ["GET", /^\/v1\/questions$/, 200, { questions: [question], meta }],
  // askQuestion only resolves on 201 (QuestionService.processCreateQuestion).
  ["POST", /^\/v1\/questions$/, 201, { data: question, meta }],
  ["PUT", /^\/v1\/questions\/[^/]+$/, 200, { data: question, meta }],
  ["POST", /^\/v1\/questions\/[^/]+\/close$/, 200, { data: { ...question, state: { ...question.state,
    status: "CLOSED_BY_COMPANY", isClosed: true, dateClosed: STAMP } }, meta }],
  ["POST", /^\/v1\/questions\/[^/]+\/reroute$/, 200, { data: { ...question, state: { ...question.state,
    rerouteStatus: { isRerouted: true, dateRerouted: STAMP, type: "BY_POSTER" } } }, meta }],
  ["POST", /^\/v1\/messages$/, 200, { data: { ...message("9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d", "MESSAGE",
    "It still reboots.", 12), author: poster, responseUuid: R_UUID }, meta }],
  ["PUT", /^\/v1\/messages\/[^/]+$/, 200, { data: { ...message(M_UUID, "MESSAGE", "It still reboots (edited).", 12),
    author: poster }, meta }],
  ["GET", /^\/v1\/messages$/, 200, { data: [message(M_UUID, "MESSAGE", "Try resetting the router.", 10)], meta }],
  ["POST", /^\/v1\/messages\/[^/]+\/markAsResolved$/, 200, { data: message(RESOLVE_MSG_UUID,
    "APPROVED_MARK_AS_RESOLVED_MESSAGE", "Resolved", 13), meta }],
  ["POST", /^\/v1\/responses\/[^/]+\/(accept|rate|confirmAutoResponse|markAsRead)$/, 200,
    { data: { ...response, isAccepted: true, isViewedByUser: true }, meta }],
  ["POST", /^\/v1\/users\/forget$/, 200, { data: {}, meta }],
  ["GET", /^\/health\/status$/, 200, { status: "UP" }],
];

// ---------------------------------------------------------------- recording server
const recorded = [];
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    const raw = Buffer.concat(chunks).toString("utf8");
    const q = req.url.indexOf("?");
    const pathname = q < 0 ? req.url : req.url.slice(0, q);
    const rawQuery = q < 0 ? "" : req.url.slice(q + 1);
    const query = {};
    for (const [k, v] of new URLSearchParams(rawQuery)) {
      if (k in query) query[k] = [].concat(query[k], v); else query[k] = v;
    }
    let body = null;
    if (raw.length) { try { body = JSON.parse(raw); } catch { body = null; } }
    const hdr = (n) => (req.headers[n] === undefined ? null : req.headers[n]);
    const route = routes.find(([m, re]) => m === req.method && re.test(pathname));
    const status = route ? route[2] : 404;
    const answer = route ? route[3] : { error: { message: "not found" }, meta };
    recorded.push({
      method: req.method, path: pathname, query, raw_query: rawQuery,
      headers: { authorization: hdr("authorization"), "content-type": hdr("content-type"),
                 accept: hdr("accept"), "user-agent": hdr("user-agent") },
      body, raw_body: raw, response_status: status,
    });
    const text = JSON.stringify(answer);
    res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", "Content-Length": Buffer.byteLength(text) });
    res.end(text);
  });
});
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const base = `http://127.0.0.1:${server.address().port}`;

// ---------------------------------------------------------------- configure the client
// Order matters: dist/services/api/Request.js builds its axios instance from
// directlyApi.getConfig() when first required, so init() must run before it is loaded.
const { directlyApi } = requireFromPkg("./dist/index.js");
requireFromPkg("./dist/utils/Logger.js").logger.silent = true; // winston writes to stdout otherwise
directlyApi.init({ apiBaseUri: base, apiAccessToken: TOKEN, universalAccessToken: UNIVERSAL_TOKEN, requestTimeout: CALL_TIMEOUT_MS });
const api = requireFromPkg("./dist/services/api/MessagingApi.js");

// ---------------------------------------------------------------- calls
const email = "jane.doe@example.com";
const LAST_CHECKED = new Date("2024-05-01T12:00:00.000Z");
const lowLevel = [
  ["createQuestion", { userEmail: email, userName: "Jane Doe", subject: "Router keeps rebooting",
    text: "My router reboots every hour.", questionCategory: "billing", metadata: { plan: "fiber-500" },
    externalIds: [{ id: "ticket-1042", system: UNIVERSAL_TOKEN }] }],
  ["getQuestion", { externalId: { id: "ticket-1042", system: UNIVERSAL_TOKEN }, userEmail: email,
    includeConversation: true, limit: 10, offset: 0, lastChecked: LAST_CHECKED },
    "lastChecked passed as a JavaScript Date (2024-05-01T12:00:00.000Z)"],
  ["editQuestion", { uuid: Q_UUID, userEmail: email, text: "It reboots every 30 minutes now.", metadata: { plan: "fiber-500" } }],
  ["closeQuestion", { questionUuid: Q_UUID, userEmail: email, integrationToken: UNIVERSAL_TOKEN }],
  ["rerouteQuestion", { uuid: Q_UUID, userEmail: email, companyTag: "acme" }],
  ["createMessage", { responseUuid: R_UUID, userEmail: email, text: "It still reboots.",
    externalIds: [{ id: "ticket-1042", system: UNIVERSAL_TOKEN }] }],
  ["editMessage", { uuid: M_UUID, userEmail: email, text: "It still reboots (edited)." }],
  ["getMessage", { externalId: "ticket-1042", userEmail: email, includeConversation: false }],
  ["acceptResponse", { uuid: R_UUID, userEmail: email }],
  ["rateResponse", { uuid: R_UUID, userEmail: email, rating: "THUMBS_UP", companyTag: "acme", externalId: "ticket-1042" }],
  ["confirmAutoResponse", { uuid: R_UUID, userEmail: email, quickReply: "ACCEPTED", externalId: "ticket-1042" }],
  ["markQuestionAsResolved", { uuid: RESOLVE_MSG_UUID, userEmail: email, confirm: true, companyTag: "acme", externalId: "ticket-1042" }],
  ["markResponseAsRead", { uuid: R_UUID, userEmail: email }],
  ["deleteUser", { userEmail: email }],
  ["automaticAnswer", { language: "en", metadata: { channel: "web" }, predictedClass: "billing.refund",
    questionCategory: "billing", text: "How long does a refund take?" }],
  ["automaticAnswerFeedback", { automaticAnswerUuid: AA_UUID, quickReply: "ACCEPTED", userEmail: email }],
  ["getMessagingApiStatus"],
];
const facade = [
  ["askQuestion", { userEmail: email, userName: "Jane Doe", subject: "Router keeps rebooting",
    text: "<p>My router <b>reboots</b> every hour.</p>", externalId: "ticket-1042", questionCategory: "billing" }],
  ["getQuestion", { userEmail: email, externalId: "ticket-1042", includeConversation: true }],
  ["appendMessage", { questionUuid: Q_UUID, userEmail: email, text: "It still reboots.", externalId: "ticket-1042" }],
  ["markAsResolved", { uuid: RESOLVE_MSG_UUID, userEmail: email, confirm: true, companyTag: "acme", externalId: "ticket-1042" }],
  ["rateResponse", { userEmail: email, rating: "THUMBS_UP", externalId: "ticket-1042" }],
  ["confirmAutoResponse", { userEmail: email, quickReply: "ACCEPTED", externalId: "ticket-1042" }],
  ["routeToCompany", { questionUuid: Q_UUID, userEmail: email }],
  ["acceptResponse", { uuid: R_UUID, userEmail: email }],
  ["markResponseAsRead", { uuid: R_UUID, userEmail: email }],
  ["closeQuestion", { questionUuid: Q_UUID, userEmail: email }],
  ["getAutomaticAnswer", { language: "en", metadata: { channel: "web" }, predictedClass: "billing.refund",
    questionCategory: "billing", text: "How long does a refund take?" }],
  ["submitAutomaticAnswerFeedback", { automaticAnswerUuid: AA_UUID, quickReply: "ACCEPTED", userEmail: email }],
];

function withTimeout(p) {
  let t;
  return Promise.race([p, new Promise((_, rej) => { t = setTimeout(() => rej(new Error("timed out")), CALL_TIMEOUT_MS); })])
    .finally(() => clearTimeout(t));
}

const out = [];
async function run(layer, file, fn, name, args, note) {
  const before = recorded.length;
  let outcome = "resolved";
  try { await withTimeout(args === undefined ? fn() : fn(args)); }
  catch (e) { outcome = `rejected: ${e && e.message ? e.message : JSON.stringify(e)}`; }
  const reqs = recorded.slice(before);
  reqs.forEach((r, i) => {
    const { response_status, ...request } = r;
    const entry = { name: `${layer}.${name}`, file, args: args === undefined ? [] : [JSON.parse(JSON.stringify(args))], request, response_status, outcome };
    if (reqs.length > 1) { entry.step = i + 1; entry.steps = reqs.length; }
    if (note) entry.note = note;
    out.push(entry);
  });
  if (!reqs.length) out.push({ name: `${layer}.${name}`, file, args: [JSON.parse(JSON.stringify(args ?? null))], request: null, outcome });
}

for (const [name, args, note] of lowLevel) {
  await run("MessagingApi", "src/services/api/MessagingApi.ts", api[name], name, args, note);
}
for (const [name, args, note] of facade) {
  await run("directlyApi", "src/Directly-Api.ts", directlyApi[name], name, args, note);
}
server.close();

process.stdout.write(JSON.stringify({
  generator: GENERATOR,
  runtime: `node ${process.versions.node}`,
  upstream: { package: `directly-api@${pkgJson.version}`, repo: "directly/directly-api-node-client",
    path: "src/services/api/MessagingApi.ts", commit: null },
  requests: out,
}, null, 2) + "\n");
