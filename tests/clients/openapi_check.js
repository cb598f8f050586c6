// Validates an OpenAPI document with @apidevtools/swagger-parser, then
// checks recorded answers against it with ajv (JSON Schema 2020-12, which
// OpenAPI 3.1's schemas are), and prints one JSON object:
//
//   spec       null when the document is valid, else swagger-parser's message
//   answers    one entry per answer: null when its body fits the schema the
//              document gives for its path, method and status, else what
//              does not fit (or that the document has no such answer)
//
// Usage: node openapi_check.js SPEC.json ANSWERS.json
//   ANSWERS.json: [{"path": "/due", "method": "get", "status": 200,
//                   "body": ...}, ...], path as the document writes it
//                   ("/reports/activity/{id}"), body the parsed JSON
//
// Used by tests/integration/test_api.py; `npm ci` in this directory
// installs both (scripts/test.sh does).
import { readFileSync } from "node:fs";
import SwaggerParser from "@apidevtools/swagger-parser";
import Ajv2020 from "ajv/dist/2020.js";

const [specFile, answersFile] = process.argv.slice(2);
if (!specFile || !answersFile) {
  process.stderr.write("usage: node openapi_check.js SPEC.json ANSWERS.json\n");
  process.exit(2);
}
const spec = JSON.parse(readFileSync(specFile, "utf8"));
const answers = JSON.parse(readFileSync(answersFile, "utf8"));

let specError = null;
try {
  // validate() dereferences a copy; the checks below want $refs resolved.
  await SwaggerParser.validate(structuredClone(spec));
} catch (e) {
  specError = String(e.message || e);
}
const resolved = specError ? null : await SwaggerParser.dereference(structuredClone(spec));
const ajv = new Ajv2020({ strict: false, allErrors: true });
const results = answers.map((a) => {
  if (!resolved) return "the document is not valid";
  const op = resolved.paths?.[a.path]?.[a.method];
  const response = op?.responses?.[String(a.status)];
  if (!response) return `no ${a.status} answer for ${a.method} ${a.path}`;
  const schema = response.content?.["application/json"]?.schema;
  if (!schema) return a.body === null ? null : `no JSON body for ${a.status}`;
  const validate = ajv.compile(schema);
  return validate(a.body) ? null : ajv.errorsText(validate.errors);
});
process.stdout.write(JSON.stringify({ spec: specError, answers: results }) + "\n");
