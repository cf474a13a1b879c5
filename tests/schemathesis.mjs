// schemathesis against the running edge and the OpenAPI document it serves:
// every response must be a non-5xx that matches the documented status,
// content type, headers and schema.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { homedir } from 'node:os';
import { DEMO, operatorToken } from './e2e/edge.mjs';

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
  // Each credential fuzzes the operations it is for: the publishable key the
  // public ones (and the unkeyed and signed ones), the secret key the merchant's, the
  // operator token onboarding.
  const open = '^(getAvailability|getAvailabilityBatch|getAvailabilityList|subscribeBackInStock|streamStock|getOpenApi|shopifyInventoryLevelsUpdate|unsubscribePage|unsubscribe|orderStatusPage|answerNotice|getOffer|getFeed)$';
  const reads = await run(edgeUrl, DEMO.publishableKey, ['--include-operation-id-regex', open]);
  const merchant = await run(edgeUrl, DEMO.secretKey, ['--exclude-operation-id-regex', `${open.slice(0, -2)}|createMerchant)$`]);
  const operator = await run(edgeUrl, operatorToken(), ['--include-operation-id', 'createMerchant']);
  const total = reads.generated + merchant.generated + operator.generated;
  const ok = reads.code === 0 && merchant.code === 0 && operator.code === 0 && total >= MIN_CASES;
  console.log(`schemathesis: ${total} generated cases (public ${reads.generated}, merchant ${merchant.generated}, `
    + `operator ${operator.generated}); ${ok ? 'no server errors, no schema violations' : 'FAILED'}`);
  return ok ? 0 : 1;
}
