/**
 * ORT-vs-PyTorch check of exported packages: `node main/bin/run-ts.mjs native-models/check_samples.ts DIR…`
 * compares onnxruntime (through the workbench's tokenizer, encoders and q-net scorer) with the PyTorch
 * outputs the exporter stored in each package's samples.json. Exit code 1 when any package disagrees.
 */
import { resolve } from 'node:path';
import { checkSamples, SAMPLE_ATOL, SAMPLE_RTOL } from '../main/engine/demo/index.ts';
import { validatePackage } from '../main/engine/models/index.ts';

const dirs = process.argv.slice(2);
if (dirs.length === 0) {
  console.error('usage: check_samples.ts PACKAGE_DIR…');
  process.exit(2);
}
let failed = false;
for (const dir of dirs.map((d) => resolve(d))) {
  await validatePackage(dir);
  const check = await checkSamples(dir);
  const d = check.maxDiff;
  console.log(
    `${check.pass ? 'ok  ' : 'FAIL'} ${dir}: max |diff| doc embeddings ${d.docEmbeddings.toExponential(2)}` +
      `${d.queryEmbeddings === null ? '' : `, query embeddings ${d.queryEmbeddings.toExponential(2)}`}, scores ${d.scores.toExponential(2)}` +
      ` (tolerance ${SAMPLE_ATOL} + ${SAMPLE_RTOL}·|x|, worst ratio ${check.worstRatio.toFixed(3)})` +
      `${check.tokenMismatches.length ? `; token ids differ: ${check.tokenMismatches.join(', ')}` : ''}`,
  );
  failed ||= !check.pass;
}
process.exit(failed ? 1 : 0);
