// schemathesis against the running edge and the OpenAPI document it serves:
// every response must be a non-5xx that matches the documented status,
// content type, headers and schema.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { homedir } from 'node:os';
import { DEMO } from './e2e/edge.mjs';

const TOOLS = process.env.UPFRONT_TOOLS ?? join(homedir(), '.cache/upfront/tools');
const CHECKS = 'not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance';
const MIN_CASES = 1000;

function run(edgeUrl, key, filter) {
  const args = ['run', `${edgeUrl}/v1/openapi.json`, '-H', `Authorization: Bearer ${key}`, ...filter,
    '--checks', CHECKS, '--max-examples', '300', '--phases', 'examples,coverage,fuzzing', '--no-color',
    '--generation-deterministic', '--warnings', 'off'];
  return new Promise((resolve) => {
    let out = '';
    const child = spawn(join(TOOLS, 'venv/bin/schemathesis'), args, { stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.on('data', (d) => { out += d; });
    child.on('exit', (code) => {
      const generated = Number(out.match(/(\d+) generated/)?.[1] ?? 0);
      if (code !== 0) process.stdout.write(out);
      resolve({ code: code ?? 1, generated });
    });
  });
}

export async function fuzzAgainstOpenApi(edgeUrl) {
  const reads = await run(edgeUrl, DEMO.publishableKey, ['--exclude-path-regex', '^/v1/(inventory|holds|delivery-config|shipments)']);
  const writes = await run(edgeUrl, DEMO.secretKey, ['--include-path-regex', '^/v1/(inventory|holds|delivery-config|shipments)']);
  const total = reads.generated + writes.generated;
  const ok = reads.code === 0 && writes.code === 0 && total >= MIN_CASES;
  console.log(`schemathesis: ${total} generated cases (reads ${reads.generated}, writes ${writes.generated}); `
    + `${ok ? 'no server errors, no schema violations' : 'FAILED'}`);
  return ok ? 0 : 1;
}
