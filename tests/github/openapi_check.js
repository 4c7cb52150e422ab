#!/usr/bin/env node
// Checks recorded GitHub API requests against GitHub's OpenAPI description
// (@octokit/openapi, pinned in tests/tools/package.json): the path and method
// must be a documented operation; query parameters must be documented, with
// allowed enum values; the JSON body must satisfy the operation's request
// schema (types, required fields, enums, item and length limits, oneOf /
// anyOf / allOf). $refs are resolved lazily, so only the operations used are
// walked.
//
// usage: node openapi_check.js SPEC.json REQUESTS.json
// prints "checked N requests" and one "error: ..." line per problem; exits 1
// when there is any.
'use strict';
const fs = require('fs');

const [specPath, requestsPath] = process.argv.slice(2);
if (!specPath || !requestsPath) {
  console.error('usage: openapi_check.js SPEC.json REQUESTS.json');
  process.exit(2);
}
const spec = JSON.parse(fs.readFileSync(specPath, 'utf8'));
const requests = JSON.parse(fs.readFileSync(requestsPath, 'utf8'));

function deref(node) {
  let seen = 0;
  while (node && typeof node === 'object' && node.$ref) {
    if (++seen > 50) throw new Error('$ref loop at ' + node.$ref);
    const parts = node.$ref.replace(/^#\//, '').split('/').map(p => p.replace(/~1/g, '/').replace(/~0/g, '~'));
    node = parts.reduce((n, p) => n[p], spec);
  }
  return node;
}

function typeOf(v) {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function typeMatches(want, v) {
  const t = typeOf(v);
  const wants = Array.isArray(want) ? want : [want];
  return wants.some(w => w === t || (w === 'number' && t === 'integer'));
}

// Returns a list of error strings for value v against schema s.
function validate(s, v, at) {
  s = deref(s);
  if (!s || typeof s !== 'object') return [];
  const errs = [];
  if (v === null && s.nullable) return [];
  if (s.allOf) for (const sub of s.allOf) errs.push(...validate(sub, v, at));
  if (s.oneOf) {
    const ok = s.oneOf.filter(sub => validate(sub, v, at).length === 0).length;
    if (ok !== 1) errs.push(`${at}: matches ${ok} of the ${s.oneOf.length} oneOf alternatives (must be exactly 1)`);
  }
  if (s.anyOf) {
    if (!s.anyOf.some(sub => validate(sub, v, at).length === 0)) errs.push(`${at}: matches none of the anyOf alternatives`);
  }
  if (s.type !== undefined && !typeMatches(s.type, v)) {
    errs.push(`${at}: is ${typeOf(v)}, the schema wants ${JSON.stringify(s.type)}`);
    return errs;
  }
  if (s.enum && !s.enum.some(e => JSON.stringify(e) === JSON.stringify(v))) {
    errs.push(`${at}: ${JSON.stringify(v)} is not one of ${JSON.stringify(s.enum)}`);
  }
  if (typeof v === 'string') {
    if (s.maxLength !== undefined && [...v].length > s.maxLength) errs.push(`${at}: longer than ${s.maxLength}`);
    if (s.minLength !== undefined && [...v].length < s.minLength) errs.push(`${at}: shorter than ${s.minLength}`);
  }
  if (Array.isArray(v)) {
    if (s.maxItems !== undefined && v.length > s.maxItems) errs.push(`${at}: more than ${s.maxItems} items`);
    if (s.minItems !== undefined && v.length < s.minItems) errs.push(`${at}: fewer than ${s.minItems} items`);
    if (s.items) v.forEach((item, i) => errs.push(...validate(s.items, item, `${at}[${i}]`)));
  }
  if (typeOf(v) === 'object') {
    for (const r of s.required || []) if (!(r in v)) errs.push(`${at}: required field '${r}' is missing`);
    const props = s.properties || {};
    for (const [k, val] of Object.entries(v)) {
      if (props[k]) errs.push(...validate(props[k], val, `${at}.${k}`));
      else if (s.additionalProperties === false) errs.push(`${at}: field '${k}' is not in the schema`);
      else if (s.properties && s.additionalProperties === undefined && !s.oneOf && !s.anyOf && !s.allOf) {
        // GitHub's request schemas list every accepted field: an unknown one is a typo.
        errs.push(`${at}: field '${k}' is not documented`);
      } else if (typeof s.additionalProperties === 'object') errs.push(...validate(s.additionalProperties, val, `${at}.${k}`));
    }
  }
  return errs;
}

function findOperation(method, path) {
  const segs = path.split('/').filter(Boolean);
  let best = null;
  for (const [tmpl, item] of Object.entries(spec.paths)) {
    const t = tmpl.split('/').filter(Boolean);
    if (t.length !== segs.length) continue;
    let literals = 0, ok = true;
    const params = {};
    for (let i = 0; i < t.length && ok; i++) {
      const m = /^\{(.+)\}$/.exec(t[i]);
      if (m) params[m[1]] = decodeURIComponent(segs[i]);
      else if (t[i] === segs[i]) literals++;
      else ok = false;
    }
    if (ok && (!best || literals > best.literals)) best = { tmpl, item, literals, params };
  }
  if (!best) return { error: `no documented path matches ${path}` };
  const op = best.item[method.toLowerCase()];
  if (!op) return { error: `${method} is not documented for ${best.tmpl}` };
  return { tmpl: best.tmpl, op, item: best.item, params: best.params };
}

const errors = [];
requests.forEach((r, idx) => {
  const where = `#${idx} ${r.method} ${r.path}`;
  const found = findOperation(r.method, r.path);
  if (found.error) { errors.push(`${where}: ${found.error}`); return; }
  const { op, item, params } = found;
  const parameters = [...(item.parameters || []), ...(op.parameters || [])].map(deref);
  // Path parameters: enums and integer types.
  for (const p of parameters.filter(p => p.in === 'path')) {
    const v = params[p.name];
    const sch = deref(p.schema) || {};
    if (sch.type === 'integer' && !/^\d+$/.test(v)) errors.push(`${where}: path parameter ${p.name}='${v}' is not an integer`);
    if (sch.enum && !sch.enum.includes(v)) errors.push(`${where}: path parameter ${p.name}='${v}' not in ${JSON.stringify(sch.enum)}`);
  }
  // Query parameters.
  if (r.query) {
    for (const pair of r.query.split('&').filter(Boolean)) {
      const [k, raw = ''] = pair.split('=');
      const v = decodeURIComponent(raw.replace(/\+/g, ' '));
      const p = parameters.find(p => p.in === 'query' && p.name === k);
      if (!p) { errors.push(`${where}: query parameter '${k}' is not documented`); continue; }
      const sch = deref(p.schema) || {};
      if (sch.enum && !sch.enum.includes(v)) errors.push(`${where}: query ${k}='${v}' not in ${JSON.stringify(sch.enum)}`);
      if (sch.type === 'integer' && !/^\d+$/.test(v)) errors.push(`${where}: query ${k}='${v}' is not an integer`);
      if (sch.maximum !== undefined && Number(v) > sch.maximum) errors.push(`${where}: query ${k}=${v} above ${sch.maximum}`);
    }
  }
  // Body.
  const rb = deref(op.requestBody);
  const hasBody = r.body !== null && r.body !== undefined;
  if (!rb) {
    if (hasBody) errors.push(`${where}: sends a body but the operation takes none`);
    return;
  }
  if (!hasBody) {
    if (rb.required) errors.push(`${where}: the operation requires a body`);
    return;
  }
  const content = rb.content && rb.content['application/json'];
  if (!content) { errors.push(`${where}: the operation takes no JSON body`); return; }
  for (const e of validate(content.schema, r.body, 'body')) errors.push(`${where}: ${e}`);
});

console.log(`checked ${requests.length} requests`);
for (const e of errors) console.log(`error: ${e}`);
process.exit(errors.length ? 1 : 0);
