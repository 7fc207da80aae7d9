// Validates recorded panel requests against the official Remnawave contract
// (@remnawave/backend-contract, pinned in package.json).
//
// usage: node tests/contract/validate.mjs FILE.jsonl
//
// Each line of FILE is one request as the bot sent it:
//   {"name": "...", "method": "POST", "path": "/api/users",
//    "query": {"k": "v"}, "body": {...} | null, "expect": "valid" | "invalid"}
// The route is looked up among the contract's commands by method and URL
// (`endpointDetails.REQUEST_METHOD`, `TSQ_url`); the body, query and path
// parameters are checked with the command's zod schemas, and keys the
// schema does not know are errors too (zod would silently drop them, and
// the panel would ignore what we meant to set). A line passes when the
// outcome matches its `expect` (default "valid"). Exit status 1 on any
// mismatch or unknown route.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const contract = require('@remnawave/backend-contract');

const file = process.argv[2];
if (!file) {
  console.error('usage: node tests/contract/validate.mjs FILE.jsonl');
  process.exit(2);
}

// Every command of the contract with its method and URL pattern.
const routes = Object.entries(contract)
  .filter(([name, c]) => name.endsWith('Command') && c && c.endpointDetails && typeof c.TSQ_url === 'string')
  .map(([name, c]) => ({
    name,
    command: c,
    method: c.endpointDetails.REQUEST_METHOD.toUpperCase(),
    segments: c.TSQ_url.replace(/\/+$/, '').split('/').filter(Boolean),
  }));

function match(method, path) {
  const parts = path.replace(/\/+$/, '').split('/').filter(Boolean);
  let best = null;
  for (const r of routes) {
    if (r.method !== method || r.segments.length !== parts.length) continue;
    const params = {};
    let literal = 0;
    let ok = true;
    r.segments.forEach((seg, i) => {
      if (seg.startsWith(':')) params[seg.slice(1)] = parts[i];
      else if (seg === parts[i]) literal += 1;
      else ok = false;
    });
    // A literal segment beats a parameter: /api/users/stream is not /api/users/:userId.
    if (ok && (!best || literal > best.literal)) best = { route: r, params, literal };
  }
  return best;
}

function unknownKeys(schema, value) {
  if (!schema || !schema.shape || value === null || typeof value !== 'object') return [];
  return Object.keys(value).filter((k) => !(k in schema.shape));
}

function check(schema, value, what) {
  const problems = [];
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      problems.push(`${what}.${issue.path.join('.') || '(root)'}: ${issue.message}`);
    }
  }
  for (const k of unknownKeys(schema, value)) problems.push(`${what}.${k}: not in the contract`);
  return problems;
}

function validate(req) {
  const found = match(req.method, req.path);
  if (!found) return { route: null, problems: [`no contract route for ${req.method} ${req.path}`] };
  const c = found.route.command;
  const problems = [];
  const hasBody = req.body !== null && req.body !== undefined;
  if (c.RequestBodySchema) {
    if (!hasBody) problems.push('body: missing');
    else problems.push(...check(c.RequestBodySchema, req.body, 'body'));
  } else if (hasBody) {
    problems.push('body: this route takes none');
  }
  const query = req.query || {};
  if (c.RequestQuerySchema) problems.push(...check(c.RequestQuerySchema, query, 'query'));
  else if (Object.keys(query).length) problems.push('query: this route takes none');
  if (c.RequestParamSchema) problems.push(...check(c.RequestParamSchema, found.params, 'params'));
  return { route: found.route.name, problems };
}

const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim());
let mismatches = 0;
for (const line of lines) {
  const req = JSON.parse(line);
  const expect = req.expect || 'valid';
  const { route, problems } = validate(req);
  const valid = problems.length === 0;
  const ok = route !== null && (expect === 'valid') === valid;
  if (!ok) mismatches += 1;
  const label = `${req.name ? req.name + ': ' : ''}${req.method} ${req.path} -> ${route || '?'}`;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${label} (${valid ? 'valid' : 'invalid'}, want ${expect})`);
  if (!valid) for (const p of problems) console.log(`       ${p}`);
}
console.log(`${lines.length} requests, ${mismatches} mismatches`);
process.exit(mismatches || lines.length === 0 ? 1 : 0);
